using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Serialization;
using MemoryFabric.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary>The one server binary in cluster mode, as deployed: MemoryFabric:Mode=Cluster with
/// MemoryFabric:Cluster:Clustering=AzureStorage (membership and reminders in Azure Tables, the agents' snapshots and
/// journals and the small grains' state in blobs; here Azurite's), two servers, no primary silo: either can leave
/// and the other serves every agent from storage.</summary>
[Collection(AzuriteTests.Name)]
public sealed class ClusterServerBlobTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string AdminKey = "blob-cluster-admin";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "mf-blob-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly string _clusterId = "c-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<WebApplication> _apps = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
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

        // Both servers are active rows of the Azure membership table of this cluster id.
        var members = new TableServiceClient(azurite.ConnectionString).GetTableClient("OrleansSiloInstances")
            .QueryAsync<TableEntity>(e => e.PartitionKey == _clusterId);
        var rows = 0;
        await foreach (var row in members)
        {
            rows += row.GetString("Status") == "Active" ? 1 : 0; // silo rows; the others are the table's version rows
        }

        Assert.Equal(2, rows);

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

        // Writes go on through the survivor.
        (await viaSecond.PostAsJsonAsync("/v1/agents/a/turns", new IngestTurnsRequest([.. turns.Select(t => t with { Id = null, Text = t.Text + " (again)" })]), MemoryFabricJson.Options)).EnsureSuccessStatusCode();
        var again = await (await viaSecond.GetAsync("/v1/agents/a")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(10, again.GetProperty("turns").GetInt32());

        // Where the state went: the agents' snapshots and journals (BlobActorStateStore) and the tenant directory's state (Orleans'
        // Azure blob grain storage) in the configured container, each agent's consolidation reminder in Orleans'
        // Azure reminder table.
        var names = new List<string>();
        await foreach (var blob in new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(_clusterId).GetBlobsAsync(BlobTraits.None, BlobStates.None, null, CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        foreach (var agent in new[] { "a", "b", "c", "d" })
        {
            // A snapshot (written when the first server's activations were deactivated) and/or journal blobs.
            Assert.Contains(names, n => n.StartsWith($"agent/acme%2F{agent}/", StringComparison.Ordinal));
        }

        Assert.Contains(names, n => n.StartsWith("tenants-", StringComparison.Ordinal));
        var reminders = new List<string>();
        await foreach (var row in new TableServiceClient(azurite.ConnectionString).GetTableClient("OrleansReminders").QueryAsync<TableEntity>($"ServiceId eq '{_clusterId}'"))
        {
            reminders.Add(row.GetString("GrainReference") + " " + row.GetString("ReminderName"));
        }

        Assert.Equal(4, reminders.Count(r => r.EndsWith(" consolidate", StringComparison.Ordinal)));
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
            "--MemoryFabric:Mode=Cluster",
            "--MemoryFabric:Cluster:Kubernetes=false",
            "--MemoryFabric:Cluster:ClusterId=" + _clusterId,
            "--MemoryFabric:Cluster:ServiceId=" + _clusterId,
            "--MemoryFabric:Cluster:SiloPort=" + siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--MemoryFabric:Cluster:GatewayPort=" + FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--MemoryFabric:Cluster:Clustering=AzureStorage",
            "--MemoryFabric:Cluster:AzureStorage:ConnectionString=" + azurite.ConnectionString,
            "--MemoryFabric:Cluster:AzureStorage:ContainerName=" + _clusterId,
        ];
        var app = MemoryFabricServer.Build(args);
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
