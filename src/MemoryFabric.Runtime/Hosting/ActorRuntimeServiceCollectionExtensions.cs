using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Runtime;

/// <summary>Registers the local actor runtime.</summary>
public static class ActorRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="ActorRuntime"/> as a singleton, as <see cref="IActorClient"/> and as a hosted service. It
    /// takes its <see cref="IActorStateStore"/> and <see cref="IReminderStore"/> from the services (e.g.
    /// <c>AddSqliteActorStore()</c> or <see cref="AddInMemoryActorStores"/>), and <see cref="TimeProvider"/> (the
    /// system clock unless one is registered), <see cref="ILoggerFactory"/> and <see cref="IMeterFactory"/> when
    /// registered.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder to register actor classes with.</returns>
    public static ActorRuntimeBuilder AddActorRuntime(this IServiceCollection services, Action<ActorRuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ActorRuntimeOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ActorRuntime(
            sp.GetRequiredService<IOptions<ActorRuntimeOptions>>().Value,
            sp.GetService<IActorStateStore>() ?? throw MissingStore(nameof(IActorStateStore)),
            sp.GetService<IReminderStore>() ?? throw MissingStore(nameof(IReminderStore)),
            sp.GetServices<ActorRegistration>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>(),
            sp));
        services.TryAddSingleton<IActorClient>(sp => sp.GetRequiredService<ActorRuntime>());
        services.AddHostedService(sp => sp.GetRequiredService<ActorRuntime>());
        return new ActorRuntimeBuilder(services);
    }

    /// <summary>Adds in-memory state and reminder stores (nothing survives the process), unless stores are already
    /// registered: for tests and ephemeral local use.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddInMemoryActorStores(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<InMemoryActorStateStore>();
        services.TryAddSingleton<InMemoryReminderStore>();
        services.TryAddSingleton<IActorStateStore>(sp => sp.GetRequiredService<InMemoryActorStateStore>());
        services.TryAddSingleton<IReminderStore>(sp => sp.GetRequiredService<InMemoryReminderStore>());
        return services;
    }

    private static InvalidOperationException MissingStore(string service) => new(
        $"The actor runtime needs an {service}: register a store, e.g. services.AddSqliteActorStore() or services.AddInMemoryActorStores().");
}
