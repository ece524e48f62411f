using System.Globalization;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite;
using MemoryFabric.Storage.Sqlite.Backup;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Cli.Commands.Admin;

/// <summary>What a data directory's formats are: the database's schema version and stamp, and the format versions of
/// its agents' snapshots.</summary>
/// <param name="SchemaVersion">The schema version (<c>PRAGMA user_version</c>).</param>
/// <param name="Stamped">Whether the database carries MemoryFabric's application id.</param>
/// <param name="SnapshotVersions">The agents' snapshots per format version.</param>
internal sealed record DataFormats(int SchemaVersion, bool Stamped, IReadOnlyDictionary<int, int> SnapshotVersions)
{
    /// <summary>Whether everything is at this build's versions.</summary>
    public bool IsCurrent => SchemaVersion == SqliteBackup.CurrentSchemaVersion && Stamped && SnapshotVersions.Keys.All(v => v == AgentMemory.SnapshotFormatVersion);

    /// <summary>The oldest snapshot format present (the current one when there is none).</summary>
    public int OldestSnapshotVersion => SnapshotVersions.Count == 0 ? AgentMemory.SnapshotFormatVersion : SnapshotVersions.Keys.Min();

    /// <summary>A one-line description.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var snapshots = SnapshotVersions.Count == 0
            ? "no agent snapshots"
            : "agent snapshots: " + string.Join(", ", SnapshotVersions.OrderBy(p => p.Key).Select(p => $"{p.Value} at format {p.Key}"));
        return $"schema {SchemaVersion}{(Stamped ? string.Empty : " (no MemoryFabric application id yet)")}, {snapshots}";
    }
}

/// <summary><c>memfab admin migrate</c>'s work: reads a data directory's format versions, backs the database up next to
/// the directory (named with the old versions), upgrades the schema (as the store does when it opens) and rewrites
/// every agent snapshot older than this build's format.</summary>
internal static class DataMigration
{
    private const string AgentType = "agent"; // AgentMemoryGrain.TypeName

    /// <summary>Reads the formats of a data directory's database without changing it.</summary>
    /// <param name="databasePath">The database.</param>
    /// <returns>The formats.</returns>
    /// <exception cref="InvalidDataException">Not a MemoryFabric database, or newer than this build.</exception>
    public static DataFormats ReadFormats(string databasePath)
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWrite, // WAL's shared-memory index; nothing is written (query_only)
            Pooling = false,
        }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA query_only=1; PRAGMA busy_timeout=5000;");
        var applicationId = Int(connection, "PRAGMA application_id;");
        var version = Int(connection, "PRAGMA user_version;");
        if (applicationId != 0 && applicationId != SqliteBackup.ApplicationId)
        {
            throw new InvalidDataException($"'{databasePath}' is an SQLite database of another application (application_id 0x{applicationId:X8}), not a MemoryFabric one.");
        }

        if (version > SqliteBackup.CurrentSchemaVersion)
        {
            throw new InvalidDataException(
                $"'{databasePath}' has schema version {version}, newer than the {SqliteBackup.CurrentSchemaVersion} this version of MemoryFabric supports: " +
                "upgrade memfab (a migration only goes forward).");
        }

        if (version < 1)
        {
            throw new InvalidDataException($"'{databasePath}' has no MemoryFabric schema version (user_version 0): not a MemoryFabric database.");
        }

        var versions = new Dictionary<int, int>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT CAST(substr(data, 1, 24) AS BLOB) FROM snapshots WHERE actor_type = $type;";
            command.Parameters.AddWithValue("$type", AgentType);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var header = (byte[])reader.GetValue(0);
                var snapshotVersion = SnapshotUpgrade.FormatVersion(header) ?? 0;
                if (snapshotVersion > AgentMemory.SnapshotFormatVersion)
                {
                    throw new InvalidDataException(
                        $"'{databasePath}' holds an agent snapshot of format {snapshotVersion}, newer than the {AgentMemory.SnapshotFormatVersion} this version of " +
                        "MemoryFabric reads: upgrade memfab (a migration only goes forward).");
                }

                versions[snapshotVersion] = versions.GetValueOrDefault(snapshotVersion) + 1;
            }
        }

        return new DataFormats(version, applicationId == SqliteBackup.ApplicationId, versions);
    }

    /// <summary>The backup's path: next to the data directory, named with the old versions and the time.</summary>
    /// <param name="dataDirectory">The data directory.</param>
    /// <param name="formats">Its formats before the migration.</param>
    /// <param name="time">The clock.</param>
    /// <returns>The path.</returns>
    public static string BackupPath(string dataDirectory, DataFormats formats, TimeProvider time)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        var stamp = time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        return $"{full}.backup-schema{formats.SchemaVersion}-snapshot{formats.OldestSnapshotVersion}-{stamp}.db";
    }

    /// <summary>Upgrades the schema (by opening the store) and rewrites the agents' older snapshots.</summary>
    /// <param name="dataDirectory">The data directory.</param>
    /// <param name="progress">Gets a line per step.</param>
    /// <param name="cancellationToken">Stops between agents (each rewrite is one transaction).</param>
    /// <returns>The snapshots rewritten.</returns>
    public static async Task<int> UpgradeAsync(string dataDirectory, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = dataDirectory, WarmUpReads = false }); // upgrades the schema
        await using (store.ConfigureAwait(false))
        {
            var keys = await store.ListKeysAsync(AgentType, string.Empty, cancellationToken).ConfigureAwait(false);
            var rewritten = 0;
            foreach (var key in keys)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var id = new ActorId(AgentType, key);
                var state = await store.LoadAsync(id, cancellationToken).ConfigureAwait(false);
                if (state.Snapshot is not { } snapshot || SnapshotUpgrade.FormatVersion(snapshot.Span) is not { } version || version >= AgentMemory.SnapshotFormatVersion)
                {
                    continue;
                }

                byte[] upgraded;
                try
                {
                    upgraded = SnapshotUpgrade.Rewrite(snapshot.Span);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"The snapshot of agent '{key}' cannot be read ({e.Message}); nothing more was changed.", e);
                }

                // The same journal position: the entries after the snapshot stay and are applied on top as before.
                await store.WriteSnapshotAsync(id, upgraded, state.SnapshotJournalSequence, state.SnapshotVersion, cancellationToken).ConfigureAwait(false);
                rewritten++;
                progress.Report($"agent {key}: snapshot format {version} -> {AgentMemory.SnapshotFormatVersion} ({snapshot.Length:N0} -> {upgraded.Length:N0} bytes)");
            }

            return rewritten;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static int Int(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
