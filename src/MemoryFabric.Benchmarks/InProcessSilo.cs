using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemoryFabric.Benchmarks;

/// <summary>The silo the grain benchmarks measure (<c>bench shards</c>, <c>bench split</c>, <c>bench consensus</c>): one
/// in-process silo on loopback ports with the fabric's grains and the embedded server's SQLite store.</summary>
internal static class InProcessSilo
{
    /// <summary>Builds the host (not started).</summary>
    /// <param name="name">The cluster and service id.</param>
    /// <param name="dataDirectory">Where the SQLite store lives.</param>
    /// <param name="tenantIndex">The tenant index's settings.</param>
    /// <param name="services">More services, registered before the silo's, or none.</param>
    /// <param name="silo">More silo configuration, or none.</param>
    /// <returns>The host.</returns>
    public static IHost Build(string name, string dataDirectory, TenantIndexOptions tenantIndex, Action<IServiceCollection>? services = null, Action<ISiloBuilder>? silo = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(tenantIndex);
        services?.Invoke(builder.Services);
        builder.UseOrleans(s =>
        {
            s.UseLocalhostClustering(LoopbackPort.Free(), 0, serviceId: name, clusterId: name);
            s.AddMemoryFabric(o => o.IdleTimeout = TimeSpan.FromHours(2));
            s.UseMemoryFabricSqlite(o => o.DataDirectory = dataDirectory);
            silo?.Invoke(s);
        });
        return builder.Build();
    }
}
