using MemoryFabric.Actors;
using MemoryFabric.Orleans.Calls;
using MemoryFabric.Orleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;

namespace MemoryFabric.Orleans.Hosting;

/// <summary>Adds MemoryFabric to an Orleans silo or client.</summary>
public static class MemoryFabricOrleansExtensions
{
    /// <summary>
    /// Hosts the fabric's grains in this silo: agent memories, the tenant directory, tenant guards and vector shards,
    /// with the fabric's serialization and an <see cref="IFabricActorClient"/> that makes grain calls. The agent grains
    /// need an <see cref="IAgentMemoryFactory"/> service (the MemoryFabric server registers one; otherwise one with the
    /// default engine options and no embedder is added). State goes to the grain storage named
    /// <see cref="MemoryFabricSiloOptions.StorageName"/>; reminders to the silo's reminder service.
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
            o.StorageName = options.StorageName;
            o.UseInMemoryProviders = options.UseInMemoryProviders;
            o.IdleTimeout = options.IdleTimeout;
            o.MinimumReminderPeriod = options.MinimumReminderPeriod;
            o.ActivateAfterHostStarted = options.ActivateAfterHostStarted;
        });
        if (options.UseInMemoryProviders)
        {
            builder.AddMemoryGrainStorage(options.StorageName);
            builder.UseInMemoryReminderService();
        }

        builder.Services.Configure<GrainCollectionOptions>(o =>
        {
            foreach (var grain in new[] { typeof(AgentMemoryGrain), typeof(TenantDirectoryGrain), typeof(TenantGuardGrain), typeof(VectorShardGrain) })
            {
                o.ClassSpecificCollectionAge[grain.FullName!] = options.IdleTimeout;
            }
        });
        if (options.MinimumReminderPeriod is { } minimum)
        {
            builder.Services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = minimum);
        }

        builder.Services.AddMemoryFabricSerialization();
        builder.Services.TryAddSingleton<IFabricActorClient>(sp => new OrleansFabricActorClient(sp.GetRequiredService<IGrainFactory>()));
        builder.Services.TryAddSingleton<IAgentMemoryFactory>(sp =>
        {
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            return new AgentMemoryFactory(() => new AgentMemory(new AgentMemoryOptions(), time));
        });
        return builder;
    }

    /// <summary>Lets an Orleans client call the fabric: the fabric's serialization and an
    /// <see cref="IFabricActorClient"/> over the cluster's grains (or call <see cref="IAgentMemoryGrain"/> and the
    /// other grain interfaces directly).</summary>
    /// <param name="builder">The client builder.</param>
    /// <returns>The builder.</returns>
    public static IClientBuilder AddMemoryFabricClient(this IClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMemoryFabricSerialization();
        builder.Services.TryAddSingleton<IFabricActorClient>(sp => new OrleansFabricActorClient(sp.GetRequiredService<IGrainFactory>()));
        return builder;
    }
}
