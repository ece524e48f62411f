using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Storage.Sqlite;

/// <summary>Keeps an embedded silo's state in one SQLite database.</summary>
public static class SqliteSiloBuilderExtensions
{
    /// <summary>
    /// Keeps the fabric's grain state in a <see cref="SqliteActorStore"/> (agents' and shards' snapshots and journals
    /// with group commit, and the small grains' state through <see cref="ActorStoreGrainStorage"/>) and Orleans'
    /// reminders in a <see cref="SqliteReminderTable"/> in the same database, so that nothing outside the process is
    /// needed and reminders survive restarts. The store is opened before the host's first hosted service starts, and
    /// opening it takes the data directory's lock (<see cref="DataDirectoryLock"/>): a second process on the same
    /// directory fails its start with <see cref="DataDirectoryInUseException"/>.
    /// </summary>
    /// <param name="builder">The silo builder (with <c>AddMemoryFabric</c>).</param>
    /// <param name="configure">Sets the data directory and the other store options.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder UseMemoryFabricSqlite(this ISiloBuilder builder, Action<SqliteActorStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SqliteActorStoreOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton(sp => new SqliteActorStore(sp.GetRequiredService<IOptions<SqliteActorStoreOptions>>().Value));

        // Opened (the data directory locked) before the first hosted service starts: before the server loads its
        // embedder, starts the silo or listens, so a second process on the same directory fails at once.
        if (!builder.Services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(SqliteStoreOpener)))
        {
            var first = builder.Services.ToList().FindIndex(d => d.ServiceType == typeof(IHostedService));
            builder.Services.Insert(first < 0 ? builder.Services.Count : first, ServiceDescriptor.Singleton<IHostedService, SqliteStoreOpener>());
        }

        builder.UseMemoryFabricStore(sp => sp.GetRequiredService<SqliteActorStore>());
        builder.AddReminders();
        builder.Services.RemoveAll<IReminderTable>();
        builder.Services.AddSingleton<IReminderTable>(sp => new SqliteReminderTable(sp.GetRequiredService<SqliteActorStore>()));
        return builder;
    }
}
