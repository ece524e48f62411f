using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Internal;

/// <summary>Caps the database's size with <c>PRAGMA max_page_count</c> (a per-connection setting, so it is set on the
/// writer): a write that would grow the file past the cap fails with <c>SQLITE_FULL</c>, exactly as on a full
/// disk.</summary>
internal static class SqliteSizeLimit
{
    // SQLite's own upper bound (SQLITE_MAX_PAGE_COUNT): "no cap".
    private const long Unlimited = 4_294_967_294;

    /// <summary>The database's page size.</summary>
    /// <param name="connection">A connection.</param>
    /// <returns>The page size in bytes.</returns>
    public static long PageSize(SqliteConnection connection) =>
        Convert.ToInt64(SqliteConnections.Scalar(connection, "PRAGMA page_size;"), CultureInfo.InvariantCulture);

    /// <summary>Sets the cap (never below the database's current size: SQLite keeps the larger).</summary>
    /// <param name="connection">The writer connection.</param>
    /// <param name="maxBytes">The most bytes, or <see langword="null"/> for no cap.</param>
    /// <returns>The cap in pages SQLite applied.</returns>
    public static long Apply(SqliteConnection connection, long? maxBytes)
    {
        var pageSize = PageSize(connection);
        var pages = maxBytes is { } bytes ? Math.Max(1, bytes / pageSize) : Unlimited;
        return Convert.ToInt64(SqliteConnections.Scalar(connection, $"PRAGMA max_page_count = {pages.ToString(CultureInfo.InvariantCulture)};"), CultureInfo.InvariantCulture);
    }
}
