using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Serialization;

namespace MemoryFabric.Orleans.Tests;

/// <summary>Two servers in cluster mode (two silos of one cluster, one tenant directory grain): a key revoked through
/// one stops working through the other within a second, though the other had it cached.</summary>
public sealed class ClusterKeyRevocationTests : IAsyncDisposable
{
    private readonly ClusterServers _servers = new("revoke");

    public ValueTask DisposeAsync() => _servers.DisposeAsync();

    [Fact]
    public async Task A_key_revoked_through_one_server_is_refused_by_the_other_within_a_second()
    {
        var (_, first) = await _servers.StartAsync();
        var (_, second) = await _servers.StartAsync();

        using var admin = ClusterServers.Client(first, ClusterServers.AdminKey);
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" }, MemoryFabricJson.Options)).EnsureSuccessStatusCode();
        var createdResponse = await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "ci" }, MemoryFabricJson.Options);
        createdResponse.EnsureSuccessStatusCode();
        var created = await createdResponse.Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("key").GetString();

        // Both servers know the key (the second caches it: its next requests do not ask the directory).
        using var viaFirst = ClusterServers.Client(first, key);
        using var viaSecond = ClusterServers.Client(second, key);
        await Eventually.SucceedsAsync(async () =>
        {
            Assert.Equal(HttpStatusCode.NotFound, (await viaSecond.GetAsync("/v1/agents/bot")).StatusCode); // authenticated: no such agent
            return true;
        }, "the key works through the second server");
        Assert.Equal(HttpStatusCode.NotFound, (await viaFirst.GetAsync("/v1/agents/bot")).StatusCode);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await viaSecond.GetAsync("/v1/agents/bot")).StatusCode);
        }

        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/admin/tenants/acme/keys/{created.GetProperty("id").GetString()}")).StatusCode);
        var revokedAfter = clock.Elapsed;
        Assert.Equal(HttpStatusCode.Unauthorized, (await viaFirst.GetAsync("/v1/agents/bot")).StatusCode);

        HttpStatusCode status;
        do
        {
            status = (await viaSecond.GetAsync("/v1/agents/bot")).StatusCode;
            if (status != HttpStatusCode.Unauthorized)
            {
                Assert.Equal(HttpStatusCode.NotFound, status);
                await Task.Delay(20);
            }
        }
        while (status != HttpStatusCode.Unauthorized && clock.Elapsed < TimeSpan.FromSeconds(5));

        var refusedAfter = clock.Elapsed - revokedAfter;
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(refusedAfter < TimeSpan.FromSeconds(1), $"the second server refused the revoked key only after {refusedAfter.TotalMilliseconds:0} ms");

        // And keeps refusing it.
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(100);
            Assert.Equal(HttpStatusCode.Unauthorized, (await viaSecond.GetAsync("/v1/agents/bot")).StatusCode);
        }
    }
}
