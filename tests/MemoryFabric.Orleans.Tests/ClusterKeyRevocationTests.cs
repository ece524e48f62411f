using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Serialization;
using MemoryFabric.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Orleans.Tests;

/// <summary>Two servers in cluster mode (two silos of one cluster, one tenant directory grain): a key revoked through
/// one stops working through the other within a second, though the other had it cached.</summary>
public sealed class ClusterKeyRevocationTests : IAsyncLifetime
{
    private const string AdminKey = "cluster-admin-key";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "mf-cluster-revoke-" + Guid.NewGuid().ToString("N"));
    private readonly List<WebApplication> _apps = [];
    private readonly string _clusterId = "revoke-" + Guid.NewGuid().ToString("N")[..6];

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
    public async Task A_key_revoked_through_one_server_is_refused_by_the_other_within_a_second()
    {
        var primarySiloPort = FreePort();
        var first = await StartServerAsync(primarySiloPort, FreePort(), primary: null);
        var second = await StartServerAsync(FreePort(), FreePort(), primary: $"127.0.0.1:{primarySiloPort}");

        using var admin = Client(first, AdminKey);
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" }, MemoryFabricJson.Options)).EnsureSuccessStatusCode();
        var createdResponse = await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "ci" }, MemoryFabricJson.Options);
        createdResponse.EnsureSuccessStatusCode();
        var created = await createdResponse.Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("key").GetString();

        // Both servers know the key (the second caches it: its next requests do not ask the directory).
        using var viaFirst = Client(first, key);
        using var viaSecond = Client(second, key);
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

    private async Task<Uri> StartServerAsync(int siloPort, int gatewayPort, string? primary)
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
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
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
