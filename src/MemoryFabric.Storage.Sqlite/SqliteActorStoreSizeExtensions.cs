using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Internal;

namespace MemoryFabric.Storage.Sqlite;

/// <summary>Changes a running <see cref="SqliteActorStore"/>'s size cap (<see cref="SqliteActorStoreOptions.MaxDatabaseSize"/>).</summary>
public static class SqliteActorStoreSizeExtensions
{
    /// <summary>Caps the database's size from now on (SQLite's <c>max_page_count</c> on the writer; never below its
    /// current size): a write that would grow it further fails with <see cref="StorageFullException"/>, exactly as on a
    /// full disk, until the cap is raised again. Tests use it as a real <c>SQLITE_FULL</c>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="maxBytes">The most bytes, or <see langword="null"/> for no cap.</param>
    /// <param name="cancellationToken">Cancels the call while it is queued.</param>
    /// <returns>The cap applied, in bytes (whole pages, at least the current size).</returns>
    public static Task<long> SetMaxDatabaseSizeAsync(this SqliteActorStore store, long? maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (maxBytes is { } bytes)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes, nameof(maxBytes));
        }

        return store.WriteAsync(connection => SqliteSizeLimit.Apply(connection, maxBytes) * SqliteSizeLimit.PageSize(connection), cancellationToken);
    }
}
