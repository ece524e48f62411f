using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.VectorShards;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using MemoryFabric.Api;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Serialization;
using MemoryFabric.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Orleans.Tests;

/// <summary>The HTTP server in cluster mode (MemoryFabric:Mode=Cluster): two
/// server processes' worth of hosts, each a silo of one cluster (development clustering, the first is the primary),
/// serve the same agents.</summary>
public sealed class ClusterServerTests : IAsyncLifetime
{
    private const string AdminKey = "cluster-admin-key";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "mf-cluster-server-" + Guid.NewGuid().ToString("N"));
    private readonly List<WebApplication> _apps = [];
    private readonly string _clusterId = "test-" + Guid.NewGuid().ToString("N")[..6];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in Enumerable.Reverse(_apps))
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Two_cluster_servers_serve_the_same_agents_through_grains()
    {
        var primarySiloPort = FreePort();
        var first = await StartServerAsync(primarySiloPort, FreePort(), primary: null);
        var second = await StartServerAsync(FreePort(), FreePort(), primary: $"127.0.0.1:{primarySiloPort}");

        using var admin = Client(first.Address, AdminKey);
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" }, MemoryFabricJson.Options)).EnsureSuccessStatusCode();
        var created = await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "ci" }, MemoryFabricJson.Options);
        created.EnsureSuccessStatusCode();
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString();

        // Written through the first server, read through the second: one agent grain in the cluster.
        using var viaFirst = Client(first.Address, key);
        var ingest = await viaFirst.PostAsJsonAsync("/v1/agents/bot/turns", new IngestTurnsRequest(Turns.Conversation(6)), MemoryFabricJson.Options);
        ingest.EnsureSuccessStatusCode();

        using var viaSecond = Client(second.Address, key); // the second silo resolves the key through the tenant directory grain
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

    private async Task<(WebApplication App, Uri Address)> StartServerAsync(int siloPort, int gatewayPort, string? primary)
    {
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            "--MemoryFabric:Embedder=hashing",
            "--MemoryFabric:AdminKey=" + AdminKey,
            "--MemoryFabric:DataDirectory=" + Path.Combine(_data, siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "--MemoryFabric:Mode=Cluster",
            "--MemoryFabric:Cluster:ClusterId=" + _clusterId,
            "--MemoryFabric:Cluster:SiloPort=" + siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--MemoryFabric:Cluster:GatewayPort=" + gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (primary is not null)
        {
            args.Add("--MemoryFabric:Cluster:PrimarySiloEndpoint=" + primary);
        }

        var app = MemoryFabricServer.Build([.. args]);
        _apps.Add(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    private static HttpClient Client(Uri address, string? key)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
