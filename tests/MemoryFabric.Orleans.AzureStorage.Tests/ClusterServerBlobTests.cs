using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Serialization;
using MemoryFabric.Server;
using MemoryFabric.Server.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary>The cluster host as deployed: MemoryFabric:Cluster:Clustering=AzureStorage (membership, grain state and
/// reminders in blobs, here Azurite's), two servers, no primary silo: either can leave and the other serves every
/// agent from storage.</summary>
public sealed class ClusterServerBlobTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private const string AdminKey = "blob-cluster-admin";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "mf-blob-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly string _clusterId = "c-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<WebApplication> _apps = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var app in Enumerable.Reverse(_apps))
        {
            try
            {
                await app.StopAsync();
            }
            catch (ObjectDisposedException)
            {
            }

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
    public async Task Two_servers_with_blob_membership_survive_either_leaving()
    {
        var (first, firstAddress) = await StartAsync();
        var (_, secondAddress) = await StartAsync();

        using var admin = Client(firstAddress, AdminKey);
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" }, MemoryFabricJson.Options)).EnsureSuccessStatusCode();
        var created = await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "ci" }, MemoryFabricJson.Options);
        created.EnsureSuccessStatusCode();
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString();

        var turns = Enumerable.Range(0, 5).Select(i => new TurnInput
        {
            SessionId = "s",
            Speaker = "user",
            Text = $"Turn {i}: the release train leaves on Thursday.",
            Timestamp = new DateTimeOffset(2025, 3, 1, 8, i, 0, TimeSpan.Zero),
        }).ToList();
        using (var viaFirst = Client(firstAddress, key))
        {
            foreach (var agent in new[] { "a", "b", "c", "d" })
            {
                (await viaFirst.PostAsJsonAsync($"/v1/agents/{agent}/turns", new IngestTurnsRequest(turns), MemoryFabricJson.Options)).EnsureSuccessStatusCode();
            }
        }

        // The first server leaves (its activations are handed over or reloaded from the blobs by the second).
        await first.StopAsync();

        using var viaSecond = Client(secondAddress, key);
        foreach (var agent in new[] { "a", "b", "c", "d" })
        {
            var stats = await RetryAsync(async () =>
            {
                var response = await viaSecond.GetAsync($"/v1/agents/{agent}");
                response.EnsureSuccessStatusCode();
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            });
            Assert.Equal(5, stats.GetProperty("turns").GetInt32());
        }
    }

    private async Task<(WebApplication App, Uri Address)> StartAsync()
    {
        var siloPort = FreePort();
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            "--MemoryFabric:Embedder=hashing",
            "--MemoryFabric:AdminKey=" + AdminKey,
            "--MemoryFabric:DataDirectory=" + Path.Combine(_data, siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "--MemoryFabric:Cluster:ClusterId=" + _clusterId,
            "--MemoryFabric:Cluster:ServiceId=" + _clusterId,
            "--MemoryFabric:Cluster:SiloPort=" + siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--MemoryFabric:Cluster:GatewayPort=" + FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--MemoryFabric:Cluster:Clustering=AzureStorage",
            "--MemoryFabric:Cluster:AzureStorage:ConnectionString=" + azurite.ConnectionString,
            "--MemoryFabric:Cluster:AzureStorage:ContainerName=" + _clusterId,
        ];
        var app = MemoryFabricServer.Build(args, builder => builder.AddMemoryFabricCluster());
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

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
