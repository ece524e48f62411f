using System.Buffers.Binary;
using System.Text;
using MemoryFabric.Runtime.Tests.Actors;
using MemoryFabric.Runtime.Tests.Support;
using MemoryFabric.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Runtime.Tests.Storage;

public sealed class SqliteActorStoreTests : IDisposable
{
    private static readonly ActorId Alice = new("agent", "acme/alice");

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Data_and_sequences_survive_a_reopen()
    {
        await using (var store = Open())
        {
            Assert.Equal(3, await store.AppendAsync(Alice, [Bytes("a"), Bytes("b"), Bytes("c")]));
            await store.UpsertAsync(new ReminderEntry(Alice, "tick", new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(1)));
            Assert.EndsWith(Path.Combine("nested", "memoryfabric.db"), store.DatabasePath, StringComparison.Ordinal);
        }

        await using (var store = Open())
        {
            var state = await store.LoadAsync(Alice);
            Assert.Equal(["a", "b", "c"], state.Journal.Select(e => Text(e.Data)));
            Assert.Equal(4, await store.AppendAsync(Alice, [Bytes("d")]));
            var reminder = Assert.Single(await store.LoadAllAsync());
            Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), reminder.NextDue);
            Assert.Equal(TimeSpan.FromMinutes(1), reminder.Period);

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
        Assert.Equal(1L, Scalar(connection, "PRAGMA user_version;"));
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
    public async Task The_runtime_keeps_state_and_reminders_in_sqlite_across_restarts()
    {
        var store = Open();
        var harness = new RuntimeHarness(stateStore: store, reminderStore: store);
        await harness.Runtime.StartAsync(CancellationToken.None);
        var start = harness.Time.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            await harness.Runtime.InvokeAsync<CounterActor, long>("c", (a, ct) => a.IncrementAsync(ct));
        }

        await harness.Runtime.InvokeAsync<ReminderActor, bool>("r", async (a, ct) =>
        {
            await a.Context.Reminders.RegisterOrUpdateAsync("tick", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), ct);
            return true;
        });
        await harness.Runtime.DisposeAsync();
        await store.DisposeAsync();

        // Reopen the file, with a runtime over it, after the reminder came due.
        store = Open();
        await using var next = new RuntimeHarness(stateStore: store, reminderStore: store);
        next.Time.Advance(TimeSpan.FromMinutes(5));
        await next.Runtime.StartAsync(CancellationToken.None);

        Assert.Equal(4, await next.Runtime.InvokeAsync<CounterActor, long>("c", (a, ct) => a.IncrementAsync(ct)));
        await Eventually.True(() => next.Probe.Reminders.Count == 1, "missed reminder after reopen");
        Assert.Equal(start + TimeSpan.FromMinutes(1), next.Probe.Reminders.Single().Tick.DueTime);
        await next.Runtime.DisposeAsync();
        await store.DisposeAsync();
    }

    private string DatabasePath => Path.Combine(_directory.Path, "nested", "memoryfabric.db");

    private SqliteActorStore Open() => new(new SqliteActorStoreOptions { DataDirectory = Path.Combine(_directory.Path, "nested") });

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
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
