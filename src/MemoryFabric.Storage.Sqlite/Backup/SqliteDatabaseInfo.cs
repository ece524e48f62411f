namespace MemoryFabric.Storage.Sqlite.Backup;

/// <summary>What a MemoryFabric database file holds, as <see cref="SqliteBackup.Inspect"/> found it.</summary>
/// <param name="Path">The file.</param>
/// <param name="SchemaVersion">Its schema version (<c>PRAGMA user_version</c>).</param>
/// <param name="Stamped">Whether it carries MemoryFabric's <c>application_id</c> (databases written before this build
/// do not).</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Snapshots">The snapshot rows (one per grain with a snapshot).</param>
/// <param name="JournalEntries">The journal rows not yet folded into a snapshot.</param>
/// <param name="Agents">The agents with any state.</param>
public sealed record SqliteDatabaseInfo(string Path, int SchemaVersion, bool Stamped, long Bytes, long Snapshots, long JournalEntries, long Agents);
