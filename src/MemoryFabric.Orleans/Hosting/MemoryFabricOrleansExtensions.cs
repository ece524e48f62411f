using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Diagnostics;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Orleans.VectorShards;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Storage;

namespace MemoryFabric.Orleans.Hosting;

/// <summary>Adds MemoryFabric to an Orleans silo or client.</summary>
public static class MemoryFabricOrleansExtensions
{
    /// <summary>
    /// Hosts the fabric's grains in this silo (agent memories, the tenant directory, tenant guards, vector shards) with
    /// the fabric's serialization. The agent grains need an <see cref="IAgentMemoryFactory"/> service (the MemoryFabric
    /// server registers one; otherwise one with the default engine options and no embedder is added) and an
    /// <see cref="IActorStateStore"/> for their snapshots and journals; the small grains use the grain storage named
    /// <see cref="MemoryFabricSiloOptions.SmallStateStorageName"/>. Register both with
    /// <see cref="UseMemoryFabricStore"/> (SQLite: <c>UseMemoryFabricSqlite</c>; Azure: <c>UseMemoryFabricAzureStorage</c>),
    /// or set <see cref="MemoryFabricSiloOptions.UseInMemoryProviders"/>. Reminders go to the silo's reminder service.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddMemoryFabric(this ISiloBuilder builder, Action<MemoryFabricSiloOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new MemoryFabricSiloOptions();
        configure?.Invoke(options);
        builder.Services.AddOptions<MemoryFabricSiloOptions>().Configure(o =>
        {
            o.UseInMemoryProviders = options.UseInMemoryProviders;
            o.IdleTimeout = options.IdleTimeout;
            o.MinimumReminderPeriod = options.MinimumReminderPeriod;
            o.ActivateAfterHostStarted = options.ActivateAfterHostStarted;
        });
        if (options.UseInMemoryProviders)
        {
            builder.UseMemoryFabricStore(_ => new InMemoryActorStateStore());
            builder.UseInMemoryReminderService();
        }

        builder.Services.Configure<GrainCollectionOptions>(o =>
        {
            foreach (var grain in new[] { typeof(AgentMemoryGrain), typeof(TenantDirectoryGrain), typeof(TenantGuardGrain), typeof(VectorShardGrain), typeof(TenantIndex.TenantIndexGrain) })
            {
                o.ClassSpecificCollectionAge[grain.FullName!] = options.IdleTimeout;
            }
        });
        if (options.MinimumReminderPeriod is { } minimum)
        {
            builder.Services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = minimum);
        }

        builder.Services.AddMemoryFabricSerialization();
        builder.Services.TryAddSingleton<FabricGrainMetrics>();
        builder.Services.TryAddSingleton<TenantIndex.TenantIndexMetrics>(); // the vector outboxes' lag
        builder.Services.TryAddSingleton<StorageFullMonitor>(); // storage full: 507, readiness, gauge, one log line
        builder.AddActivityPropagation(); // the caller's trace context crosses grain calls (before the fabric's filter)
        builder.AddIncomingGrainCallFilter<FabricGrainCallFilter>();
        builder.Services.TryAddSingleton<IAgentMemoryFactory>(sp =>
        {
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            return new AgentMemoryFactory(() => new AgentMemory(new AgentMemoryOptions(), time));
        });
        return builder;
    }

    /// <summary>Keeps the fabric's state in an <see cref="IActorStateStore"/>: the agents' and vector shards' snapshots
    /// and journals, and (through <see cref="ActorStoreGrainStorage"/>) the small grains' state. Replaces an earlier
    /// registration. Its writes are reported to the <see cref="StorageFullMonitor"/> (when registered, as
    /// <c>AddMemoryFabric</c> does) and timed by <see cref="FabricGrainMetrics"/>.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="create">Creates the store (a singleton, disposed with the silo's services when disposable).</param>
    /// <param name="smallStateToo">Whether the small grains' state goes to the same store (<see langword="false"/>
    /// when another <see cref="IGrainStorage"/> is registered under
    /// <see cref="MemoryFabricSiloOptions.SmallStateStorageName"/>, e.g. Azure Blob grain storage).</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder UseMemoryFabricStore(this ISiloBuilder builder, Func<IServiceProvider, IActorStateStore> create, bool smallStateToo = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(create);
        builder.Services.RemoveAll<IActorStateStore>();
        builder.Services.AddSingleton<IActorStateStore>(sp =>
        {
            var store = create(sp);
            if (sp.GetService<StorageFullMonitor>() is { } full)
            {
                store = new StorageFullTrackingStore(store, full);
            }

            return sp.GetService<FabricGrainMetrics>() is { } metrics
                ? new InstrumentedActorStateStore(store, metrics, sp.GetService<TimeProvider>() ?? TimeProvider.System)
                : store;
        });
        if (smallStateToo)
        {
            builder.Services.RemoveAllKeyed<IGrainStorage>(MemoryFabricSiloOptions.SmallStateStorageName);
            builder.Services.AddKeyedSingleton<IGrainStorage>(MemoryFabricSiloOptions.SmallStateStorageName, (sp, _) => new ActorStoreGrainStorage(sp.GetRequiredService<IActorStateStore>()));
        }

        return builder;
    }

    /// <summary>Lets an Orleans client call the fabric's grains (<see cref="IAgentMemoryGrain"/> and the others): the
    /// fabric's serialization.</summary>
    /// <param name="builder">The client builder.</param>
    /// <returns>The builder.</returns>
    public static IClientBuilder AddMemoryFabricSerialization(this IClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMemoryFabricSerialization();
        return builder;
    }
}
