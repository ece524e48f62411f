using System.Net;

namespace MemoryFabric.Client.Tests;

public sealed class BackupClientTests
{
    [Fact]
    public async Task BackupAsync_posts_to_the_backup_route_and_copies_the_body_into_the_stream()
    {
        var database = new byte[300_000];
        new Random(7).NextBytes(database);
        var handler = new StubHandler(r => r is { RawPath: "/v1/admin/backup", Method.Method: "POST" }
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(database) }
            : StubHandler.Problem(HttpStatusCode.NotFound, "Not Found"));
        var admin = new MemoryFabricAdminClient(new HttpClient(handler), new() { Endpoint = new Uri("http://memory.test"), ApiKey = "admin_key" });
        using var destination = new MemoryStream();

        var bytes = await admin.BackupAsync(destination);

        Assert.Equal(database.Length, bytes);
        Assert.Equal(database, destination.ToArray());
        var request = handler.Single;
        Assert.Equal("Bearer admin_key", request.Authorization);
        Assert.Contains("application/octet-stream", request.Accept, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_shorter_than_its_length_is_an_incomplete_backup_and_a_501_is_an_api_error()
    {
        var handler = new StubHandler(_ =>
        {
            var content = new ByteArrayContent(new byte[10]);
            content.Headers.ContentLength = 100;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });
        var admin = new MemoryFabricAdminClient(new HttpClient(handler), new() { Endpoint = new Uri("http://memory.test"), ApiKey = "admin_key" });

        var e = await Assert.ThrowsAsync<IOException>(() => admin.BackupAsync(new MemoryStream()));
        Assert.Contains("after 10 of its 100 bytes", e.Message, StringComparison.Ordinal);

        var cluster = new MemoryFabricAdminClient(
            new HttpClient(new StubHandler(_ => StubHandler.Problem(HttpStatusCode.NotImplemented, "No backup in this mode", "Back up the storage account instead."))),
            new() { Endpoint = new Uri("http://memory.test"), ApiKey = "admin_key" });
        var refused = await Assert.ThrowsAsync<MemoryFabricApiException>(() => cluster.BackupAsync(new MemoryStream()));
        Assert.Equal(HttpStatusCode.NotImplemented, refused.StatusCode);
        Assert.Contains("Back up the storage account instead.", refused.Message, StringComparison.Ordinal);
    }
}
