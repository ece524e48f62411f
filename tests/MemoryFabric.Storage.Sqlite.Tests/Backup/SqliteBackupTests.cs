using System.Collections.Concurrent;
using System.Text;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Backup;
using MemoryFabric.Storage.Sqlite.Tests.Support;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Tests.Backup;

/// <summary>The online backup (<see cref="SqliteActorStore.BackupAsync"/>), the checks of a backup file, and the
/// format checks at open.</summary>
public sealed class SqliteBackupTests : IDisposable
{
    private const int EntriesPerBatch = 4;

    private readonly TempDirectory _directory = new();

    public SqliteBackupTests() => SQLitePCL.Batteries_V2.Init();

    public void Dispose() => _directory.Dispose();

    private string Sub(string name) => Path.Combine(_directory.Path, name);

    [Fact]
    public async Task A_backup_during_concurrent_appends_holds_every_batch_acknowledged_before_it_each_wholly_or_not_at_all()
    {
        var acknowledged = new ConcurrentDictionary<(int Actor, int Batch), long>();
        await using (var store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = Sub("live") }))
        {
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(actor => Task.Run(async () =>
            {
                var id = new ActorId("agent", $"t/a{actor}");
                for (var batch = 0; !stop.IsCancellationRequested; batch++)
                {
                    // One batch: several entries in one append, as an agent's journal entry of many turns is one write.
                    await store.AppendAsync(id, [.. Enumerable.Range(0, EntriesPerBatch).Select(e => (ReadOnlyMemory<byte>)Entry(actor, batch, e))]);
                    acknowledged[(actor, batch)] = TimeProvider.System.GetTimestamp();
                }
            })).ToArray();

            while (acknowledged.Count < 400)
            {
                await Task.Delay(5);
            }

            var started = TimeProvider.System.GetTimestamp();
            var before = acknowledged.Where(p => p.Value < started).Select(p => p.Key).ToHashSet();
            await store.BackupAsync(Sub("backup.db"));
            var during = acknowledged.Count - before.Count;
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            Assert.True(during > 0, "no append was acknowledged during the backup");

            var info = SqliteBackup.Inspect(Sub("backup.db"));
            Assert.Equal(2, info.SchemaVersion);
            Assert.True(info.Stamped);
            Assert.False(File.Exists(Sub("backup.db.partial")));

            await SqliteBackup.RestoreAsync(Sub("backup.db"), Sub("restored"));
            await using var restored = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = Sub("restored") });
            var rows = new Dictionary<(int Actor, int Batch), int>();
            for (var actor = 0; actor < 8; actor++)
            {
                foreach (var entry in (await restored.LoadAsync(new ActorId("agent", $"t/a{actor}"))).Journal)
                {
                    var parts = Encoding.UTF8.GetString(entry.Data.Span).Split(':');
                    var key = (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                    rows[key] = rows.GetValueOrDefault(key) + 1;
                }
            }

            Assert.DoesNotContain(before, b => rows.GetValueOrDefault(b) != EntriesPerBatch); // 0 acknowledged batches missing
            Assert.DoesNotContain(rows, r => r.Value != EntriesPerBatch); // 0 half batches
            Assert.True(rows.Count >= before.Count);
            Assert.Equal(info.JournalEntries, rows.Values.Sum());
        }
    }

    [Fact]
    public async Task A_backup_keeps_the_format_stamps_and_the_auto_vacuum_mode_and_needs_a_new_file()
    {
        await using var store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = Sub("live") });
        await store.WriteSnapshotAsync(new ActorId("agent", "t/x"), new byte[10_000], 0, 0);
        await store.BackupAsync(Sub("b.db"));

        using (var connection = Open(Sub("b.db")))
        {
            Assert.Equal(2L, Scalar(connection, "PRAGMA user_version;"));
            Assert.Equal((long)SqliteBackup.ApplicationId, Scalar(connection, "PRAGMA application_id;"));
            Assert.Equal(1L, Scalar(connection, "PRAGMA auto_vacuum;"));
            Assert.Equal("delete", Scalar(connection, "PRAGMA journal_mode;")); // a single file, no write-ahead log
        }

        await Assert.ThrowsAsync<IOException>(() => store.BackupAsync(Sub("b.db")));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.BackupAsync(Sub("c.db"), cancellationToken: cancelled.Token));
        Assert.False(File.Exists(Sub("c.db")));
    }

    [Fact]
    public async Task Restore_refuses_a_non_empty_directory_before_reading_the_file()
    {
        Directory.CreateDirectory(Sub("full"));
        await File.WriteAllTextAsync(Path.Combine(Sub("full"), "memoryfabric.db"), "x");

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteBackup.RestoreAsync(Sub("missing.db"), Sub("full")));
        Assert.Contains("is not empty (it holds 'memoryfabric.db')", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Opening_refuses_a_database_of_another_application_or_without_a_schema_version_and_leaves_it_unchanged()
    {
        Directory.CreateDirectory(Sub("other"));
        Execute(Path.Combine(Sub("other"), "memoryfabric.db"), "CREATE TABLE snapshots (x); PRAGMA user_version=2; PRAGMA application_id=42;");
        var e = Assert.Throws<InvalidOperationException>(() => new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = Sub("other") }));
        Assert.Contains("belongs to another application (application_id 0x0000002A)", e.Message, StringComparison.Ordinal);

        Directory.CreateDirectory(Sub("foreign"));
        var foreign = Path.Combine(Sub("foreign"), "memoryfabric.db");
        Execute(foreign, "CREATE TABLE people (name TEXT);");
        e = Assert.Throws<InvalidOperationException>(() => new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = Sub("foreign") }));
        Assert.Contains("has tables but no MemoryFabric schema version", e.Message, StringComparison.Ordinal);
        using var connection = Open(foreign);
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM sqlite_master;"));
        Assert.Equal(0L, Scalar(connection, "PRAGMA application_id;"));
    }

    [Fact]
    public async Task A_database_of_the_current_schema_without_the_stamp_is_stamped_at_open_and_keeps_its_data()
    {
        var id = new ActorId("agent", "t/x");
        await using (var store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = Sub("d") }))
        {
            await store.AppendAsync(id, [new byte[] { 1, 2, 3 }]);
        }

        var database = Path.Combine(Sub("d"), "memoryfabric.db");
        Execute(database, "PRAGMA application_id=0;"); // as the release before wrote it

        await using (var store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = Sub("d") }))
        {
            Assert.Equal([1, 2, 3], (await store.LoadAsync(id)).Journal.Single().Data.ToArray());
        }

        using var connection = Open(database);
        Assert.Equal((long)SqliteBackup.ApplicationId, Scalar(connection, "PRAGMA application_id;"));
        Assert.Equal(2L, Scalar(connection, "PRAGMA user_version;"));
    }

    private static byte[] Entry(int actor, int batch, int entry) => Encoding.UTF8.GetBytes($"{actor}:{batch}:{entry}:" + new string('x', 200));

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Execute(string path, string sql)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
