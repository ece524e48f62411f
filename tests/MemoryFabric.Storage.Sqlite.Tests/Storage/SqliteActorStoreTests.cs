using System.Buffers.Binary;
using System.Text;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Storage.Sqlite.Reminders;
using MemoryFabric.Storage.Sqlite.Tests.Support;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Tests.Storage;

public sealed class SqliteActorStoreTests : IDisposable
{
    private static readonly ActorId Alice = new("agent", "acme/alice");

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_writer_keeps_no_snapshot_or_journal_entry_alive_once_written()
    {
        await using var store = Open();
        var (snapshot, entry) = await WriteAndForgetAsync(store);

        for (var i = 0; i < 10 && (snapshot.IsAlive || entry.IsAlive); i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
            GC.WaitForPendingFinalizers();
            await Task.Delay(10);
        }

        // A prepared statement that kept its last values bound held the whole last snapshot (hundreds of MB for a
        // large vector shard) until the next one.
        Assert.False(snapshot.IsAlive, "the last snapshot's bytes are still referenced after the write");
        Assert.False(entry.IsAlive, "the last journal entry's bytes are still referenced after the write");
        var state = await store.LoadAsync(Alice);
        Assert.Equal(1_000_000, state.Snapshot!.Value.Length);
        Assert.Equal(200_000, Assert.Single(state.Journal).Data.Length);
    }

    // In a method of its own, so no local of the test keeps the arrays alive.
    private static async Task<(WeakReference Snapshot, WeakReference Entry)> WriteAndForgetAsync(SqliteActorStore store)
    {
        var entryBytes = new byte[200_000];
        var snapshotBytes = new byte[1_000_000];
        Assert.Equal(1, await store.AppendAsync(Alice, [entryBytes]));
        Assert.Equal(1, await store.WriteSnapshotAsync(Alice, snapshotBytes, 0, 0));
        return (new WeakReference(snapshotBytes), new WeakReference(entryBytes));
    }

    [Fact]
    public async Task Data_and_sequences_survive_a_reopen()
    {
        await using (var store = Open())
        {
            Assert.Equal(3, await store.AppendAsync(Alice, [Bytes("a"), Bytes("b"), Bytes("c")]));
            Assert.EndsWith(Path.Combine("nested", "memoryfabric.db"), store.DatabasePath, StringComparison.Ordinal);
        }

        await using (var store = Open())
        {
            var state = await store.LoadAsync(Alice);
            Assert.Equal(["a", "b", "c"], state.Journal.Select(e => Text(e.Data)));
            Assert.Equal(4, await store.AppendAsync(Alice, [Bytes("d")]));

            // A snapshot covering everything empties the journal; sequences continue from the snapshot after a reopen.
            Assert.Equal(1, await store.WriteSnapshotAsync(Alice, Bytes("s"), 4, 0));
        }

        await using (var store = Open())
        {
            var state = await store.LoadAsync(Alice);
            Assert.Empty(state.Journal);
            Assert.Equal(4, state.LastSequence);
            Assert.Equal(5, await store.AppendAsync(Alice, [Bytes("e")]));
        }
    }

    [Fact]
    public async Task Concurrent_appenders_are_group_committed_and_lose_nothing()
    {
        const int actors = 50;
        const int appends = 100;
        await using (var store = Open())
        {
            var appenders = Enumerable.Range(0, actors).Select(a => Task.Run(async () =>
            {
                var id = new ActorId("agent", "t/" + a);
                for (var i = 0; i < appends; i++)
                {
                    var sequence = await store.AppendAsync(id, [Number(i)]);
                    Assert.Equal(i + 1, sequence);
                }
            }));
            await Task.WhenAll(appenders);
        }

        await using (var store = Open())
        {
            for (var a = 0; a < actors; a++)
            {
                var state = await store.LoadAsync(new ActorId("agent", "t/" + a));
                Assert.Equal(Enumerable.Range(1, appends).Select(i => (long)i), state.Journal.Select(e => e.Sequence));
                Assert.Equal(Enumerable.Range(0, appends), state.Journal.Select(e => BinaryPrimitives.ReadInt32LittleEndian(e.Data.Span)));
            }

            Assert.Equal(actors, (await store.ListKeysAsync("agent", "t/")).Count);
        }
    }

    [Fact]
    public async Task Concurrent_batches_to_one_actor_stay_whole_and_contiguous()
    {
        await using var store = Open();
        var batches = Enumerable.Range(0, 40).Select(b => Task.Run(() =>
            store.AppendAsync(Alice, [.. Enumerable.Range(0, 10).Select(i => Number((b * 100) + i))]))).ToList();
        var lasts = await Task.WhenAll(batches);

        var journal = (await store.LoadAsync(Alice)).Journal;
        Assert.Equal(400, journal.Count);
        for (var b = 0; b < batches.Count; b++)
        {
            // The batch's ten entries end at the sequence it returned, in order, with nothing in between.
            var entries = journal.Where(e => e.Sequence > lasts[b] - 10 && e.Sequence <= lasts[b])
                .Select(e => BinaryPrimitives.ReadInt32LittleEndian(e.Data.Span))
                .ToList();
            Assert.Equal(Enumerable.Range(b * 100, 10), entries);
        }
    }

    [Fact]
    public async Task A_failing_write_in_a_group_does_not_fail_the_others()
    {
        await using var store = Open();
        await store.WriteSnapshotAsync(Alice, Bytes("s"), 0, 0);

        var writes = new List<Task>();
        for (var i = 0; i < 200; i++)
        {
            writes.Add(store.AppendAsync(new ActorId("agent", "other/" + (i % 10)), [Number(i)]));
            if (i % 20 == 0)
            {
                writes.Add(Assert.ThrowsAsync<ActorStateConflictException>(() => store.WriteSnapshotAsync(Alice, Bytes("stale"), 0, 0)));
            }
        }

        await Task.WhenAll(writes);
        for (var k = 0; k < 10; k++)
        {
            Assert.Equal(20, (await store.LoadAsync(new ActorId("agent", "other/" + k))).Journal.Count);
        }

        var alice = await store.LoadAsync(Alice);
        Assert.Equal("s", Text(alice.Snapshot!.Value));
        Assert.Equal(1, alice.SnapshotVersion);
    }

    [Fact]
    public async Task The_database_uses_wal_and_records_its_schema_version()
    {
        await using (var store = Open())
        {
            await store.AppendAsync(Alice, [Bytes("a")]);
        }

        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal(2L, Scalar(connection, "PRAGMA user_version;"));
    }

    [Fact]
    public async Task A_database_from_a_newer_version_is_refused_with_a_clear_error()
    {
        await using (Open())
        {
        }

        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            Scalar(connection, "PRAGMA user_version = 7;");
        }

        var error = Assert.Throws<InvalidOperationException>(() => Open());
        Assert.Contains("schema version 7", error.Message, StringComparison.Ordinal);
        Assert.Contains(DatabasePath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_data_directory_that_cannot_be_created_is_named_in_the_error()
    {
        var blocker = Path.Combine(_directory.Path, "blocker");
        File.WriteAllText(blocker, "not a directory");
        var error = Assert.Throws<InvalidOperationException>(
            () => new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = Path.Combine(blocker, "data") }));
        Assert.Contains(Path.Combine(blocker, "data"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_after_dispose_are_refused()
    {
        var store = Open();
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync(Alice, [Bytes("x")]));
    }

    [Fact]
    public async Task A_schema_v1_database_keeps_its_state_and_gets_the_orleans_reminder_table()
    {
        // A data directory written before the move to Orleans: schema version 1, with the old runtime's reminders.
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        SQLitePCL.Batteries_V2.Init();
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            Execute(connection, """
                CREATE TABLE snapshots (
                    actor_type  TEXT    NOT NULL,
                    actor_key   TEXT    NOT NULL,
                    version     INTEGER NOT NULL,
                    journal_seq INTEGER NOT NULL,
                    data        BLOB    NOT NULL,
                    PRIMARY KEY (actor_type, actor_key)
                );
                CREATE TABLE journal (
                    actor_type TEXT    NOT NULL,
                    actor_key  TEXT    NOT NULL,
                    seq        INTEGER NOT NULL,
                    data       BLOB    NOT NULL,
                    PRIMARY KEY (actor_type, actor_key, seq)
                );
                CREATE TABLE reminders (
                    actor_type         TEXT    NOT NULL,
                    actor_key          TEXT    NOT NULL,
                    name               TEXT    NOT NULL,
                    next_due_utc_ticks INTEGER NOT NULL,
                    period_ticks       INTEGER NOT NULL,
                    PRIMARY KEY (actor_type, actor_key, name)
                ) WITHOUT ROWID;
                INSERT INTO snapshots VALUES ('agent', 'acme/alice', 3, 2, CAST('s' AS BLOB));
                INSERT INTO journal VALUES ('agent', 'acme/alice', 3, CAST('c' AS BLOB));
                INSERT INTO journal VALUES ('agent', 'acme/alice', 4, CAST('d' AS BLOB));
                INSERT INTO snapshots VALUES ('tenants', 'directory', 7, 0,
                    CAST('{"tenants":[{"id":"acme","name":"Acme","createdAt":"2025-01-01T00:00:00+00:00"}],"keys":[]}' AS BLOB));
                INSERT INTO reminders VALUES ('agent', 'acme/alice', 'consolidate', 638712864000000000, 3000000000);
                PRAGMA journal_mode=WAL;
                PRAGMA user_version=1;
                """);
        }

        await using (var store = Open())
        {
            var alice = await store.LoadAsync(Alice);
            Assert.Equal("s", Text(alice.Snapshot!.Value));
            Assert.Equal(3, alice.SnapshotVersion);
            Assert.Equal(2, alice.SnapshotJournalSequence);
            Assert.Equal([3L, 4], alice.Journal.Select(e => e.Sequence));
            Assert.Equal(["c", "d"], alice.Journal.Select(e => Text(e.Data)));
            Assert.Equal(5, await store.AppendAsync(Alice, [Bytes("e")]));
            Assert.Equal(4, await store.WriteSnapshotAsync(Alice, Bytes("s2"), 5, 3));

            // The small grains' state, as the old runtime wrote it, reads through the Orleans grain storage.
            var directory = new GrainState<TenantDirectoryState>();
            await new ActorStoreGrainStorage(store).ReadStateAsync("tenants", GrainId.Create("tenantdirectory", "directory"), directory);
            Assert.Equal("7", directory.ETag);
            Assert.Equal("acme", Assert.Single(directory.State!.Tenants).Id);

            // The new reminder table is there and works.
            var reminders = new SqliteReminderTable(store);
            var grain = GrainId.Create("agent", "acme/alice");
            Assert.Empty((await reminders.ReadRows(0, 0)).Reminders);
            await reminders.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "consolidate", StartAt = DateTime.UtcNow, Period = TimeSpan.FromMinutes(5) });
            Assert.NotNull(await reminders.ReadRow(grain, "consolidate"));
        }

        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            Assert.Equal(2L, Scalar(connection, "PRAGMA user_version;"));
            Assert.Equal(["journal", "orleans_reminders", "snapshots"], Tables(connection));
            Assert.Equal(0L, Scalar(connection, "PRAGMA auto_vacuum;")); // an existing file is not rewritten to change it
        }

        // Reopening the upgraded database changes nothing.
        await using (var store = Open())
        {
            var alice = await store.LoadAsync(Alice);
            Assert.Equal("s2", Text(alice.Snapshot!.Value));
            Assert.Empty(alice.Journal);
            var reminders = new SqliteReminderTable(store);
            Assert.Single((await reminders.ReadRows(0, 0)).Reminders);
        }
    }

    [Fact]
    public async Task A_new_database_is_created_at_schema_version_two_with_the_orleans_reminder_table()
    {
        await using (Open())
        {
        }

        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        Assert.Equal(2L, Scalar(connection, "PRAGMA user_version;"));
        Assert.Equal(["journal", "orleans_reminders", "snapshots"], Tables(connection));
    }

    [Fact]
    public async Task A_full_write_queue_refuses_a_write_at_once_and_stores_nothing_of_it()
    {
        var options = new SqliteActorStoreOptions { DataDirectory = Path.Combine(_directory.Path, "nested"), MaxQueuedWrites = 2, BusyTimeout = TimeSpan.FromSeconds(30) };
        await using var store = new SqliteActorStore(options);
        await store.AppendAsync(Alice, [new byte[] { 1 }]);

        // Another process holds the database's write lock: the writer waits on it, and writes pile up behind.
        using var blocker = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        blocker.Open();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }

        var first = store.AppendAsync(Alice, [new byte[] { 2 }]); // taken by the writer, waiting for the lock
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (store.QueuedWrites > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the writer thread did not take the first write");
            await Task.Delay(10);
        }

        var queued = new[] { store.AppendAsync(Alice, [new byte[] { 3 }]), store.AppendAsync(Alice, [new byte[] { 4 }]) };
        var refused = await Assert.ThrowsAsync<StorageBusyException>(() => store.AppendAsync(Alice, [new byte[] { 5 }]));
        Assert.Contains("nothing was stored", refused.Message, StringComparison.Ordinal);

        using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            rollback.ExecuteNonQuery();
        }

        await first;
        await Task.WhenAll(queued);
        var state = await store.LoadAsync(Alice);
        Assert.Equal([1, 2, 3, 4], state.Journal.Select(e => (int)e.Data.Span[0]));
    }

    private string DatabasePath => Path.Combine(_directory.Path, "nested", "memoryfabric.db");

    private SqliteActorStore Open() => new(new SqliteActorStoreOptions { DataDirectory = Path.Combine(_directory.Path, "nested") });

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<string> Tables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ReadOnlyMemory<byte> data) => Encoding.UTF8.GetString(data.Span);

    private static ReadOnlyMemory<byte> Number(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }
}
