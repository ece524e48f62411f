using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using MemoryFabric.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Orleans.Tests.Support;

/// <summary>HTTP servers in cluster mode (MemoryFabric:Mode=Cluster) in this process, each a silo of one cluster
/// (development clustering: the first started is the primary), with a known admin key; stopped and their data
/// deleted on dispose.</summary>
internal sealed class ClusterServers(string name) : IAsyncDisposable
{
    public const string AdminKey = "cluster-admin-key";

    private readonly string _data = Path.Combine(Path.GetTempPath(), "mf-" + name + "-" + Guid.NewGuid().ToString("N"));
    private readonly string _clusterId = name + "-" + Guid.NewGuid().ToString("N")[..6];
    private readonly List<WebApplication> _apps = [];
    private int? _primarySiloPort;

    /// <summary>Starts one more server: the first is the cluster's primary silo, the others join it.</summary>
    public async Task<(WebApplication App, Uri Address)> StartAsync()
    {
        var siloPort = FreePort();
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            "--MemoryFabric:Embedder=hashing",
            "--MemoryFabric:AdminKey=" + AdminKey,
            "--MemoryFabric:DataDirectory=" + Path.Combine(_data, siloPort.ToString(CultureInfo.InvariantCulture)),
            "--MemoryFabric:Mode=Cluster",
            "--MemoryFabric:Cluster:ClusterId=" + _clusterId,
            "--MemoryFabric:Cluster:SiloPort=" + siloPort.ToString(CultureInfo.InvariantCulture),
            "--MemoryFabric:Cluster:GatewayPort=" + FreePort().ToString(CultureInfo.InvariantCulture),
        };
        if (_primarySiloPort is { } primary)
        {
            args.Add("--MemoryFabric:Cluster:PrimarySiloEndpoint=127.0.0.1:" + primary.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            _primarySiloPort = siloPort;
        }

        var app = MemoryFabricServer.Build([.. args]);
        _apps.Add(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    /// <summary>A client of a server with a bearer key.</summary>
    public static HttpClient Client(Uri address, string? key)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public async ValueTask DisposeAsync()
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
