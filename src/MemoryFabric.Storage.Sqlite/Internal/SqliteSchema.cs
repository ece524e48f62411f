using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Internal;

/// <summary>The database schema and its version (<c>PRAGMA user_version</c>). A database this creates has full
/// auto-vacuum (<c>PRAGMA auto_vacuum=FULL</c>); one created before keeps its mode (see the README).</summary>
internal static class SqliteSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int CurrentVersion = 2;

    /// <summary>The <c>PRAGMA application_id</c> stamped on every database this build opens ("MFab"); a database with
    /// another non-zero id is refused. Stamping it needs no new schema version: earlier builds ignore it.</summary>
    public const int ApplicationId = 0x4D466162;

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
    /// <exception cref="InvalidOperationException">The database was written by a newer version, or is not a MemoryFabric
    /// database (another application's id, or tables without a schema version).</exception>
    public static void EnsureCreated(SqliteConnection connection, string path)
    {
        var version = Convert.ToInt32(SqliteConnections.Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        var applicationId = Convert.ToInt32(SqliteConnections.Scalar(connection, "PRAGMA application_id;"), CultureInfo.InvariantCulture);
        if (applicationId != 0 && applicationId != ApplicationId)
        {
            throw new InvalidOperationException(
                $"The SQLite database '{path}' belongs to another application (application_id 0x{applicationId:X8}); MemoryFabric does not open it. " +
                "Point MemoryFabric at another data directory.");
        }

        if (version > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The SQLite database '{path}' has schema version {version}, newer than the {CurrentVersion} this version of MemoryFabric " +
                "supports. Upgrade MemoryFabric, or point it at another data directory.");
        }

        if (version == CurrentVersion)
        {
            if (applicationId == 0)
            {
                // Written before the application id was stamped: stamping it changes nothing else (earlier builds ignore it).
                SqliteConnections.Execute(connection, $"PRAGMA application_id={ApplicationId};");
            }

            return;
        }

        var empty = Convert.ToInt64(SqliteConnections.Scalar(connection, "SELECT count(*) FROM sqlite_master;"), CultureInfo.InvariantCulture) == 0;
        if (version == 0 && !empty)
        {
            throw new InvalidOperationException(
                $"The SQLite database '{path}' has tables but no MemoryFabric schema version (user_version 0): it is not a MemoryFabric " +
                "database, and MemoryFabric does not write into it. Point MemoryFabric at another data directory.");
        }

        if (version == 0)
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
            SqliteConnections.Execute(connection, $"PRAGMA user_version={CurrentVersion}; PRAGMA application_id={ApplicationId};");
            SqliteConnections.Execute(connection, "COMMIT;");
        }
        catch
        {
            SqliteConnections.Execute(connection, "ROLLBACK;");
            throw;
        }
    }
}
