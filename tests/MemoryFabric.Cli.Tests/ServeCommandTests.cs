using System.Net;
using MemoryFabric.Cli.Tests.Support;
using MemoryFabric.Client;

namespace MemoryFabric.Cli.Tests;

public class ServeCommandTests
{
    [Fact]
    public async Task Serve_listens_until_cancelled_and_remote_commands_use_it()
    {
        using var data = new TempDirectory();
        await using var fabric = await ServedFabric.StartAsync(data.Path, TimeSpan.FromMinutes(3));
        var (url, http, adminKey) = (fabric.Url, fabric.Http, fabric.AdminKey);

        // A tenant and a key with the admin key the server generated, then the remote mode of the data commands.
        var admin = new MemoryFabricAdminClient(http, new MemoryFabricClientOptions { ApiKey = adminKey });
        await admin.CreateTenantAsync("acme", "Acme");
        var key = (await admin.CreateApiKeyAsync("acme", "cli")).Key;

        var ingest = await Memfab.RunAsync("ingest", Memfab.Fixture("generic.json"), "--agent", "tom", "--url", url, "--key", key);
        Assert.True(ingest.Code == 0, ingest.ToString());
        Assert.Contains("tom: 7 turns stored", ingest.Out, StringComparison.Ordinal);

        var search = await Memfab.RunAsync("search", "half marathon", "--agent", "tom", "--url", url, "--key", key);
        Assert.True(search.Code == 0, search.ToString());
        Assert.Contains("half marathon", search.Out, StringComparison.Ordinal);

        var unauthorized = await Memfab.RunAsync("search", "half marathon", "--agent", "tom", "--url", url, "--key", "mfk_wrong");
        Assert.Equal(2, unauthorized.Code);
        var line = Assert.Single(unauthorized.ErrorLines);
        Assert.StartsWith("memfab: 401 ", line, StringComparison.Ordinal);
        Assert.Contains("--key", line, StringComparison.Ordinal);

        var forbidden = await Memfab.RunAsync("search", "half marathon", "--agent", "tom", "--url", url, "--key", adminKey);
        Assert.Equal(2, forbidden.Code);
        Assert.StartsWith("memfab: 403 ", Assert.Single(forbidden.ErrorLines), StringComparison.Ordinal);

        var result = await fabric.StopAsync();
        Assert.True(result.Code == 0, result.ToString());
        Assert.Contains($"MemoryFabric listening on {url}", result.Out, StringComparison.Ordinal);
        Assert.Contains("embedder: hashing", result.Out, StringComparison.Ordinal);
        Assert.Contains("memfab serve: stopped", result.Error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri("/readyz", UriKind.Relative)));
    }
}
