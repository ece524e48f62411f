using MemoryFabric.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Storage.Sqlite;

/// <summary>Registers the SQLite actor store.</summary>
public static class SqliteActorStoreServiceCollectionExtensions
{
    /// <summary>Adds a <see cref="SqliteActorStore"/> singleton as the <see cref="IActorStateStore"/> and the
    /// <see cref="IReminderStore"/> (replacing stores registered before).</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddSqliteActorStore(this IServiceCollection services, Action<SqliteActorStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SqliteActorStoreOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton(sp => new SqliteActorStore(sp.GetRequiredService<IOptions<SqliteActorStoreOptions>>().Value));
        services.AddSingleton<IActorStateStore>(sp => sp.GetRequiredService<SqliteActorStore>());
        services.AddSingleton<IReminderStore>(sp => sp.GetRequiredService<SqliteActorStore>());
        return services;
    }
}
