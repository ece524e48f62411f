using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Internal;

/// <summary>The database schema and its version (<c>PRAGMA user_version</c>). A database this creates has full
/// auto-vacuum (<c>PRAGMA auto_vacuum=FULL</c>); one created before keeps its mode (see the README).</summary>
internal static class SqliteSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int CurrentVersion = 2;

    private const string CreateV1 = """
        CREATE TABLE IF NOT EXISTS snapshots (
            actor_type  TEXT    NOT NULL,
            actor_key   TEXT    NOT NULL,
            version     INTEGER NOT NULL,
            journal_seq INTEGER NOT NULL,
            data        BLOB    NOT NULL,
            PRIMARY KEY (actor_type, actor_key)
        );
        CREATE TABLE IF NOT EXISTS journal (
            actor_type TEXT    NOT NULL,
            actor_key  TEXT    NOT NULL,
            seq        INTEGER NOT NULL,
            data       BLOB    NOT NULL,
            PRIMARY KEY (actor_type, actor_key, seq)
        );
        """;

    // Version 2: Orleans' reminder table (SqliteReminderTable) replaces the reminders of the former local actor runtime.
    private const string UpgradeToV2 = """
        DROP TABLE IF EXISTS reminders;
        CREATE TABLE IF NOT EXISTS orleans_reminders (
            grain_id       TEXT    NOT NULL,
            name           TEXT    NOT NULL,
            grain_hash     INTEGER NOT NULL,
            start_at_ticks INTEGER NOT NULL,
            period_ticks   INTEGER NOT NULL,
            etag           INTEGER NOT NULL,
            PRIMARY KEY (grain_id, name)
        ) WITHOUT ROWID;
        """;

    /// <summary>Creates the schema in a new database; checks the version of an existing one.</summary>
    /// <param name="connection">The writer connection.</param>
    /// <param name="path">The database file (for messages).</param>
    /// <exception cref="InvalidOperationException">The database was written by a newer version.</exception>
    public static void EnsureCreated(SqliteConnection connection, string path)
    {
        var version = Convert.ToInt32(SqliteConnections.Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        if (version > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The SQLite database '{path}' has schema version {version}, newer than the {CurrentVersion} this version of MemoryFabric " +
                "supports. Upgrade MemoryFabric, or point it at another data directory.");
        }

        if (version == CurrentVersion)
        {
            return;
        }

        if (version == 0 && Convert.ToInt64(SqliteConnections.Scalar(connection, "SELECT count(*) FROM sqlite_master;"), CultureInfo.InvariantCulture) == 0)
        {
            // A new file. Full auto-vacuum returns the pages a commit freed (a replaced snapshot, compacted journal rows)
            // to the file system at that commit, so the file stays about the size of its data, and a new snapshot is
            // written into long runs of pages at the end of the file instead of scattered over freed ones: a cold
            // activation reads it with a few large reads. It can only be chosen before the first table exists (or by a
            // VACUUM, which rewrites the file: instant here, where there is nothing to rewrite).
            SqliteConnections.Execute(connection, "PRAGMA auto_vacuum=FULL; VACUUM;");
        }

        SqliteConnections.Execute(connection, "BEGIN IMMEDIATE;");
        try
        {
            if (version < 1)
            {
                SqliteConnections.Execute(connection, CreateV1);
            }

            SqliteConnections.Execute(connection, UpgradeToV2);
            SqliteConnections.Execute(connection, $"PRAGMA user_version={CurrentVersion};");
            SqliteConnections.Execute(connection, "COMMIT;");
        }
        catch
        {
            SqliteConnections.Execute(connection, "ROLLBACK;");
            throw;
        }
    }
}
