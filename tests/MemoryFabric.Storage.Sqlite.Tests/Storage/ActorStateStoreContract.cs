using System.Text;
using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Storage.Sqlite.Tests.Storage;

/// <summary>The behaviour every <see cref="IActorStateStore"/> shares (SQLite and in memory).</summary>
public abstract class ActorStateStoreContract : IAsyncLifetime
{
    private static readonly ActorId Alice = new("agent", "acme/alice");
    private static readonly ActorId Bob = new("agent", "acme/bob");

    protected IActorStateStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_new_actor_has_nothing_stored()
    {
        var state = await Store.LoadAsync(Alice);
        Assert.False(state.Exists);
        Assert.Null(state.Snapshot);
        Assert.Equal(0, state.LastSequence);
        Assert.Empty(state.Journal);
    }

    [Fact]
    public async Task Appended_entries_load_back_in_order()
    {
        Assert.Equal(3, await Store.AppendAsync(Alice, [Bytes("one"), Bytes("two"), Bytes("three")]));
        Assert.Equal(5, await Store.AppendAsync(Alice, [Bytes("four"), Bytes("five")]));
        Assert.Equal(1, await Store.AppendAsync(Bob, [Bytes("bob")]));

        var state = await Store.LoadAsync(Alice);
        Assert.True(state.Exists);
        Assert.Null(state.Snapshot);
        Assert.Equal(0, state.SnapshotVersion);
        Assert.Equal([1L, 2, 3, 4, 5], state.Journal.Select(e => e.Sequence));
        Assert.Equal(["one", "two", "three", "four", "five"], state.Journal.Select(e => Text(e.Data)));
        Assert.Equal(5, state.LastSequence);
    }

    [Fact]
    public async Task Empty_entries_and_slices_of_buffers_round_trip()
    {
        var buffer = Encoding.UTF8.GetBytes("xxhelloxx");
        await Store.AppendAsync(Alice, [ReadOnlyMemory<byte>.Empty, buffer.AsMemory(2, 5)]);

        var state = await Store.LoadAsync(Alice);
        Assert.Equal(0, state.Journal[0].Data.Length);
        Assert.Equal("hello", Text(state.Journal[1].Data));
    }

    [Fact]
    public async Task Appending_nothing_returns_the_last_sequence()
    {
        Assert.Equal(0, await Store.AppendAsync(Alice, []));
        await Store.AppendAsync(Alice, [Bytes("a")]);
        Assert.Equal(1, await Store.AppendAsync(Alice, []));
    }

    [Fact]
    public async Task A_snapshot_checks_the_version_and_drops_the_journal_it_covers()
    {
        await Store.AppendAsync(Alice, [Bytes("1"), Bytes("2"), Bytes("3"), Bytes("4"), Bytes("5")]);

        Assert.Equal(1, await Store.WriteSnapshotAsync(Alice, Bytes("s1"), journalSequence: 3, expectedVersion: 0));
        var state = await Store.LoadAsync(Alice);
        Assert.Equal("s1", Text(state.Snapshot!.Value));
        Assert.Equal(1, state.SnapshotVersion);
        Assert.Equal(3, state.SnapshotJournalSequence);
        Assert.Equal([4L, 5], state.Journal.Select(e => e.Sequence));
        Assert.Equal(5, state.LastSequence);

        var conflict = await Assert.ThrowsAsync<ActorStateConflictException>(
            () => Store.WriteSnapshotAsync(Alice, Bytes("stale"), journalSequence: 5, expectedVersion: 0));
        Assert.Equal(0, conflict.ExpectedVersion);
        Assert.Equal(1, conflict.ActualVersion);
        Assert.Equal(Alice, conflict.ActorId);

        Assert.Equal(2, await Store.WriteSnapshotAsync(Alice, Bytes("s2"), journalSequence: 5, expectedVersion: 1));
        state = await Store.LoadAsync(Alice);
        Assert.Equal("s2", Text(state.Snapshot!.Value));
        Assert.Empty(state.Journal);
        Assert.Equal(5, state.LastSequence);

        // Sequences go on after the snapshot.
        Assert.Equal(6, await Store.AppendAsync(Alice, [Bytes("6")]));
    }

    [Fact]
    public async Task A_snapshot_of_an_actor_without_a_journal_starts_at_version_one()
    {
        Assert.Equal(1, await Store.WriteSnapshotAsync(Alice, Bytes("s"), 0, 0));
        await Assert.ThrowsAsync<ActorStateConflictException>(() => Store.WriteSnapshotAsync(Bob, Bytes("s"), 0, 3));
        Assert.False((await Store.LoadAsync(Bob)).Exists);
    }

    [Fact]
    public async Task Clear_removes_the_actor_and_sequences_start_over()
    {
        await Store.AppendAsync(Alice, [Bytes("a"), Bytes("b")]);
        await Store.WriteSnapshotAsync(Alice, Bytes("s"), 1, 0);
        await Store.AppendAsync(Bob, [Bytes("b")]);

        await Store.ClearAsync(Alice);

        Assert.False((await Store.LoadAsync(Alice)).Exists);
        Assert.True((await Store.LoadAsync(Bob)).Exists);
        Assert.Equal(["acme/bob"], await Store.ListKeysAsync("agent", ""));
        Assert.Equal(1, await Store.AppendAsync(Alice, [Bytes("again")]));
        Assert.Equal(1, await Store.WriteSnapshotAsync(Alice, Bytes("s"), 1, 0));
    }

    [Fact]
    public async Task Keys_are_listed_by_type_and_prefix_in_ordinal_order()
    {
        await Store.AppendAsync(new ActorId("agent", "acme/zed"), [Bytes("z")]);
        await Store.AppendAsync(Bob, [Bytes("b")]);
        await Store.WriteSnapshotAsync(Alice, Bytes("s"), 0, 0);
        await Store.AppendAsync(new ActorId("agent", "acme*/odd"), [Bytes("o")]);
        await Store.AppendAsync(new ActorId("agent", "other/carol"), [Bytes("c")]);
        await Store.AppendAsync(new ActorId("tenant", "acme"), [Bytes("t")]);

        Assert.Equal(["acme/alice", "acme/bob", "acme/zed"], await Store.ListKeysAsync("agent", "acme/"));
        Assert.Equal(["acme*/odd"], await Store.ListKeysAsync("agent", "acme*"));
        Assert.Equal(["acme*/odd", "acme/alice", "acme/bob", "acme/zed", "other/carol"], await Store.ListKeysAsync("agent", ""));
        Assert.Equal(["acme"], await Store.ListKeysAsync("tenant", ""));
        Assert.Empty(await Store.ListKeysAsync("agent", "nobody/"));
    }

    [Fact]
    public async Task A_page_of_keys_starts_after_a_key_and_keeps_to_the_prefix()
    {
        // Stored as a snapshot only, as a journal only, and as both (listed once).
        await Store.WriteSnapshotAsync(new ActorId("agent", "acme/b"), Bytes("s"), 0, 0);
        await Store.AppendAsync(new ActorId("agent", "acme/a"), [Bytes("a")]);
        await Store.AppendAsync(new ActorId("agent", "acme/c"), [Bytes("c1"), Bytes("c2")]);
        await Store.WriteSnapshotAsync(new ActorId("agent", "acme/c"), Bytes("s"), 1, 0);
        await Store.AppendAsync(new ActorId("agent", "acme/d"), [Bytes("d")]);
        await Store.AppendAsync(new ActorId("agent", "acme-2/a"), [Bytes("x")]);
        await Store.AppendAsync(new ActorId("agent", "acmf/a"), [Bytes("x")]);
        await Store.AppendAsync(new ActorId("agent-card", "acme/e"), [Bytes("x")]);

        Assert.Equal(["acme/a", "acme/b"], await Store.ListKeysAsync("agent", "acme/", null, 2));
        Assert.Equal(["acme/c", "acme/d"], await Store.ListKeysAsync("agent", "acme/", "acme/b", 2));
        Assert.Equal(["acme/d"], await Store.ListKeysAsync("agent", "acme/", "acme/c", 5));
        Assert.Empty(await Store.ListKeysAsync("agent", "acme/", "acme/d", 5));
        Assert.Equal(["acme/a", "acme/b", "acme/c", "acme/d"], await Store.ListKeysAsync("agent", "acme/", "acme-2/zzz", 10)); // "-" < "/"
        Assert.Empty(await Store.ListKeysAsync("agent", "acme/", "acme0", 10)); // after every key of the prefix
        Assert.Equal(["acme/c", "acme/d"], await Store.ListKeysAsync("agent", "acme/", "acme/bb", 10)); // not a stored key
        await Assert.ThrowsAnyAsync<ArgumentOutOfRangeException>(() => Store.ListKeysAsync("agent", "acme/", null, 0));
    }

    [Fact]
    public async Task A_cancelled_write_writes_nothing()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.AppendAsync(Alice, [Bytes("x")], cts.Token));
        Assert.False((await Store.LoadAsync(Alice)).Exists);
    }

    protected abstract Task<IActorStateStore> CreateAsync();

    protected static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(ReadOnlyMemory<byte> data) => Encoding.UTF8.GetString(data.Span);
}
