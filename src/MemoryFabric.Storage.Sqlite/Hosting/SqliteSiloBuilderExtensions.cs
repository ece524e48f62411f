using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Storage.Sqlite;

/// <summary>Keeps an embedded silo's state in one SQLite database.</summary>
public static class SqliteSiloBuilderExtensions
{
    /// <summary>
    /// Keeps the fabric's grain state in a <see cref="SqliteActorStore"/> (agents' and shards' snapshots and journals
    /// with group commit, and the small grains' state through <see cref="ActorStoreGrainStorage"/>) and Orleans'
    /// reminders in a <see cref="SqliteReminderTable"/> in the same database, so that nothing outside the process is
    /// needed and reminders survive restarts.
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
        builder.UseMemoryFabricStore(sp => sp.GetRequiredService<SqliteActorStore>());
        builder.AddReminders();
        builder.Services.RemoveAll<IReminderTable>();
        builder.Services.AddSingleton<IReminderTable>(sp => new SqliteReminderTable(sp.GetRequiredService<SqliteActorStore>()));
        return builder;
    }
}
