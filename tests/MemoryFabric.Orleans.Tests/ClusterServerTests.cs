using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.VectorShards;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Api;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Serialization;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Orleans.Tests;

/// <summary>The HTTP server in cluster mode (MemoryFabric:Mode=Cluster): two
/// server processes' worth of hosts, each a silo of one cluster (development clustering, the first is the primary),
/// serve the same agents.</summary>
public sealed class ClusterServerTests : IAsyncDisposable
{
    private readonly ClusterServers _servers = new("cluster-server");

    public ValueTask DisposeAsync() => _servers.DisposeAsync();

    [Fact]
    public async Task Two_cluster_servers_serve_the_same_agents_through_grains()
    {
        var first = await _servers.StartAsync();
        var second = await _servers.StartAsync();

        using var admin = ClusterServers.Client(first.Address, ClusterServers.AdminKey);
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" }, MemoryFabricJson.Options)).EnsureSuccessStatusCode();
        var created = await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "ci" }, MemoryFabricJson.Options);
        created.EnsureSuccessStatusCode();
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString();

        // Written through the first server, read through the second: one agent grain in the cluster.
        using var viaFirst = ClusterServers.Client(first.Address, key);
        var ingest = await viaFirst.PostAsJsonAsync("/v1/agents/bot/turns", new IngestTurnsRequest(Turns.Conversation(6)), MemoryFabricJson.Options);
        ingest.EnsureSuccessStatusCode();

        using var viaSecond = ClusterServers.Client(second.Address, key); // the second silo resolves the key through the tenant directory grain
        var search = await Eventually.SucceedsAsync(async () =>
        {
            var response = await viaSecond.PostAsJsonAsync("/v1/agents/bot/search", new { query = "favourite colour teal", limit = 3 }, MemoryFabricJson.Options);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<SearchResponse>(MemoryFabricJson.Options);
        }, "search through the second server");
        Assert.NotEmpty(search!.Hits);

        var grains = second.App.Services.GetRequiredService<IGrainFactory>();
        Assert.Equal(6, (await grains.GetGrain<IAgentMemoryGrain>("acme/bot").GetStatisticsAsync()).Turns);
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(2, hosts.Count);
    }
}
