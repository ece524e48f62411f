using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Internal;

/// <summary>The database schema and its version (<c>PRAGMA user_version</c>).</summary>
internal static class SqliteSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int CurrentVersion = 1;

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
        CREATE TABLE IF NOT EXISTS reminders (
            actor_type         TEXT    NOT NULL,
            actor_key          TEXT    NOT NULL,
            name               TEXT    NOT NULL,
            next_due_utc_ticks INTEGER NOT NULL,
            period_ticks       INTEGER NOT NULL,
            PRIMARY KEY (actor_type, actor_key, name)
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

        SqliteConnections.Execute(connection, "BEGIN IMMEDIATE;");
        try
        {
            SqliteConnections.Execute(connection, CreateV1);
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
