using System.Net;
using System.Net.Sockets;
using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Storage.Sqlite;
using Orleans.Configuration;

namespace MemoryFabric.Server.Hosting;

/// <summary>Runs the Orleans silo that hosts the fabric's grains in the server's process.</summary>
internal static class FabricHosting
{
    /// <summary>
    /// <see cref="ServerMode.Embedded"/>: one silo on localhost clustering (no external services, no gateway unless
    /// <c>MemoryFabric:Cluster:GatewayPort</c> is set), state and reminders in SQLite under the data directory (or in
    /// memory with <c>InMemory</c>). <see cref="ServerMode.Cluster"/>: a silo of the cluster described by
    /// <c>MemoryFabric:Cluster:*</c> (<see cref="ClusterHosting"/>).
    /// </summary>
    /// <param name="builder">The server's builder.</param>
    /// <param name="options">The server's settings.</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddFabricSilo(this WebApplicationBuilder builder, MemoryFabricServerOptions options)
    {
        var cluster = builder.Configuration.GetSection(MemoryFabricClusterOptions.SectionName).Get<MemoryFabricClusterOptions>() ?? new MemoryFabricClusterOptions();
        builder.UseOrleans(silo =>
        {
            if (options.Mode == ServerMode.Cluster)
            {
                ClusterHosting.ConfigureSilo(silo, cluster, options);
                return;
            }

            // The silo-to-silo port is unused with one silo, but Orleans listens on it: a free one unless configured,
            // so that several embedded servers (tests, `memfab serve`) can run on one machine.
            var siloPort = builder.Configuration[MemoryFabricClusterOptions.SectionName + ":SiloPort"] is { Length: > 0 } ? cluster.SiloPort : FreePort();
            var gatewayPort = builder.Configuration[MemoryFabricClusterOptions.SectionName + ":GatewayPort"] is { Length: > 0 } ? cluster.GatewayPort : 0;
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            silo.AddMemoryFabric(o =>
            {
                o.ActivateAfterHostStarted = true;
                o.IdleTimeout = options.IdleTimeout;
                o.UseInMemoryProviders = options.InMemory;
            });
            if (!options.InMemory)
            {
                silo.UseMemoryFabricSqlite(o =>
                {
                    o.DataDirectory = Path.GetFullPath(options.DataDirectory);
                    o.MaxQueuedWrites = options.MaxQueuedWrites;
                });
            }

            ConfigureCollection(silo, options);
        });
        return builder;
    }

    /// <summary>Maps the server's memory settings to Orleans' activation collection: idle agents are deactivated
    /// after <see cref="MemoryFabricServerOptions.IdleTimeout"/> (per grain class, in <c>AddMemoryFabric</c>), and
    /// under memory pressure Orleans sheds the least recently used activations once the process uses more than
    /// <see cref="MemoryFabricServerOptions.MemoryUsageLimitPercentage"/> of the machine's (or container's) memory.
    /// Turns of up to 30 s (a large consolidation) are not logged as slow.</summary>
    /// <param name="silo">The silo.</param>
    /// <param name="options">The server's settings.</param>
    internal static void ConfigureCollection(ISiloBuilder silo, MemoryFabricServerOptions options)
    {
        silo.Configure<GrainCollectionOptions>(o =>
        {
            o.EnableActivationSheddingOnMemoryPressure = options.MemoryUsageLimitPercentage is > 0 and < 100;
            if (o.EnableActivationSheddingOnMemoryPressure)
            {
                o.MemoryUsageLimitPercentage = options.MemoryUsageLimitPercentage;
                o.MemoryUsageTargetPercentage = Math.Max(1, options.MemoryUsageLimitPercentage - 10);
            }
        });

        // A consolidation of a large agent is one turn of its grain and takes seconds by design: Orleans' default
        // (warn past one second) would log each of them as a problem.
        silo.Configure<SchedulingOptions>(o => o.TurnWarningLengthThreshold = TimeSpan.FromSeconds(30));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
