using System.Net;
using MemoryFabric.Actors;
using MemoryFabric.Orleans.AzureStorage;
using MemoryFabric.Orleans.Calls;
using MemoryFabric.Orleans.Hosting;
using Orleans.Configuration;

namespace MemoryFabric.Server.Cluster;

/// <summary>Makes the MemoryFabric server a silo of an Orleans cluster.</summary>
public static class ClusterHosting
{
    /// <summary>
    /// Runs an Orleans silo in this host with the fabric's grains (<c>AddMemoryFabric</c>) and registers the
    /// <see cref="IFabricActorClient"/> the server's endpoints call through (grain calls), from
    /// <c>MemoryFabric:Cluster:*</c>. Sets <c>MemoryFabric:Mode</c> to <c>Cluster</c> unless it is configured; with
    /// <c>Embedded</c> configured it does nothing (the server runs its local runtime).
    /// </summary>
    /// <param name="builder">The server's builder (in <c>MemoryFabricServer.Build</c>'s configure hook).</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddMemoryFabricCluster(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var mode = builder.Configuration["MemoryFabric:Mode"];
        if (string.Equals(mode, nameof(ServerMode.Embedded), StringComparison.OrdinalIgnoreCase))
        {
            return builder;
        }

        if (string.IsNullOrEmpty(mode))
        {
            builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("MemoryFabric:Mode", nameof(ServerMode.Cluster))]);
        }

        var options = builder.Configuration.GetSection(MemoryFabricClusterOptions.SectionName).Get<MemoryFabricClusterOptions>() ?? new MemoryFabricClusterOptions();
        builder.Services.AddSingleton<IFabricActorClient>(sp => new OrleansFabricActorClient(sp.GetRequiredService<IGrainFactory>()));
        builder.UseOrleans(silo => ConfigureSilo(silo, options));
        return builder;
    }

    /// <summary>Configures a silo from the cluster options: cluster ids, endpoints, membership, the fabric's grains and
    /// their storage and reminders.</summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="options">The options.</param>
    public static void ConfigureSilo(ISiloBuilder silo, MemoryFabricClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        var advertised = string.IsNullOrWhiteSpace(options.AdvertisedIPAddress) ? IPAddress.Loopback : IPAddress.Parse(options.AdvertisedIPAddress);
        silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));

        var connectionString = options.AzureStorage.ConnectionString;
        switch (options.Clustering)
        {
            case ClusterMembership.Development:
                var primary = string.IsNullOrWhiteSpace(options.PrimarySiloEndpoint)
                    ? new IPEndPoint(advertised, options.SiloPort)
                    : ParseEndpoint(options.PrimarySiloEndpoint, options.SiloPort);
                silo.UseDevelopmentClustering(primary);
                break;
            case ClusterMembership.AzureStorage:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException("MemoryFabric:Cluster:Clustering=AzureStorage needs MemoryFabric:Cluster:AzureStorage:ConnectionString.");
                }

                // The membership table in a blob (this build's provider; Orleans' own needs Azure.Data.Tables).
                silo.UseMemoryFabricAzureBlobClustering(o =>
                {
                    o.ConnectionString = connectionString;
                    o.ContainerName = options.AzureStorage.ContainerName;
                });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Clustering, "Unknown MemoryFabric:Cluster:Clustering.");
        }

        silo.AddMemoryFabric(o =>
        {
            o.UseInMemoryProviders = string.IsNullOrWhiteSpace(connectionString);
            o.ActivateAfterHostStarted = true;
        });
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            void Blob(MemoryFabricBlobStorageOptions o)
            {
                o.ConnectionString = connectionString;
                o.ContainerName = options.AzureStorage.ContainerName;
            }

            silo.AddMemoryFabricAzureBlobStorage(Blob);
            silo.UseMemoryFabricAzureBlobReminders(Blob);
        }
    }

    private static IPEndPoint ParseEndpoint(string value, int defaultPort)
    {
        if (IPEndPoint.TryParse(value, out var endpoint))
        {
            return endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, defaultPort) : endpoint;
        }

        // A host name (e.g. memory-fabric-0.memory-fabric-headless): resolve it.
        var colon = value.LastIndexOf(':');
        var host = colon > 0 ? value[..colon] : value;
        var port = colon > 0 ? int.Parse(value[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture) : defaultPort;
        var address = Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? throw new ArgumentException($"MemoryFabric:Cluster:PrimarySiloEndpoint '{value}' does not resolve to an IPv4 address.");
        return new IPEndPoint(address, port);
    }
}
