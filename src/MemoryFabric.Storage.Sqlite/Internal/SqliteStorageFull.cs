using MemoryFabric.Orleans.Storage;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Internal;

/// <summary>Recognizes SQLite's "no space left" errors: <c>SQLITE_FULL</c> (13: a full disk, or the database at
/// <c>max_page_count</c>), and an I/O error (<c>SQLITE_IOERR</c>, 10: a failed write, fsync or shared-memory growth)
/// while the volume under the database has (almost) no free space left.</summary>
internal static class SqliteStorageFull
{
    private const int SqliteIoErr = 10;
    private const int SqliteFull = 13;
    private const long NearlyFullBytes = 1 << 20;

    /// <summary>Whether an exception is SQLite running out of space.</summary>
    /// <param name="exception">The exception.</param>
    /// <param name="databasePath">The database file (its volume is checked for an I/O error).</param>
    /// <returns>Whether it is.</returns>
    public static bool IsFull(Exception exception, string databasePath) =>
        exception is StorageFullException
        || (exception is SqliteException sqlite
            && (sqlite.SqliteErrorCode == SqliteFull || (sqlite.SqliteErrorCode == SqliteIoErr && VolumeNearlyFull(databasePath))));

    /// <summary>The exception to give a writer: <see cref="StorageFullException"/> for SQLite running out of space,
    /// else the exception itself.</summary>
    /// <param name="exception">The exception.</param>
    /// <param name="databasePath">The database file.</param>
    /// <returns>The exception to report.</returns>
    public static Exception Translate(Exception exception, string databasePath) =>
        exception is not StorageFullException && IsFull(exception, databasePath)
            ? new StorageFullException(
                $"The SQLite database '{databasePath}' has no space left ({exception.Message}); nothing of the write was stored. "
                + "Free space on its volume (or grow it); writes resume by themselves.",
                exception)
            : exception;

    private static bool VolumeNearlyFull(string databasePath)
    {
        try
        {
            var directory = Path.GetDirectoryName(databasePath);
            return directory is not null && new DriveInfo(directory).AvailableFreeSpace < NearlyFullBytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }
}
