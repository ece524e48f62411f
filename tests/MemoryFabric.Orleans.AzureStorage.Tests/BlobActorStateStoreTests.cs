using System.Text;
using Azure.Storage.Blobs;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Tests.Storage;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary><see cref="BlobActorStateStore"/> against Azurite: the blobs it writes, sequences across reloads, the
/// conflicts a second activation (a split brain) runs into, clearing and listing.</summary>
[Collection(AzuriteTests.Name)]
public sealed class BlobActorStateStoreTests(AzuriteFixture azurite)
{
    private static readonly ActorId Agent = new("agent", "acme/round-trip");

    private readonly BlobContainerClient _container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("s" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task Snapshot_and_journal_round_trip_as_one_snapshot_blob_and_create_only_journal_blobs()
    {
        var store = new BlobActorStateStore(_container);
        Assert.False((await store.LoadAsync(Agent)).Exists);
        Assert.Equal(1, await store.AppendAsync(Agent, [Bytes("one")]));
        Assert.Equal(3, await store.AppendAsync(Agent, [Bytes("two"), Bytes("three")]));
        Assert.Equal([Journal(1), Journal(2)], await BlobNamesAsync());

        // The snapshot covers sequences 1 to 3: its blob is written, then the journal blobs it covers are deleted.
        Assert.Equal(1, await store.WriteSnapshotAsync(Agent, Bytes("snap"), 3, 0));
        Assert.Equal([Snapshot], await BlobNamesAsync());
        Assert.Equal(5, await store.AppendAsync(Agent, [Bytes("four"), Bytes("five")]));
        Assert.Equal([Journal(4), Snapshot], await BlobNamesAsync());

        var reloaded = await new BlobActorStateStore(_container).LoadAsync(Agent);
        Assert.Equal("snap", Text(reloaded.Snapshot!.Value));
        Assert.Equal(1, reloaded.SnapshotVersion);
        Assert.Equal(3, reloaded.SnapshotJournalSequence);
        Assert.Equal([4L, 5], reloaded.Journal.Select(e => e.Sequence));
        Assert.Equal(["four", "five"], reloaded.Journal.Select(e => Text(e.Data)));
        Assert.Equal(5, reloaded.LastSequence);

        // The version check comes first: a writer expecting an older snapshot is refused before any I/O.
        var conflict = await Assert.ThrowsAsync<ActorStateConflictException>(() => store.WriteSnapshotAsync(Agent, Bytes("stale"), 5, 0));
        Assert.Equal(1, conflict.ActualVersion);
    }

    [Fact]
    public async Task Append_after_a_reload_continues_the_sequence()
    {
        var first = new BlobActorStateStore(_container);
        await first.AppendAsync(Agent, [Bytes("a"), Bytes("b")]);
        await first.WriteSnapshotAsync(Agent, Bytes("s"), 2, 0);
        await first.AppendAsync(Agent, [Bytes("c")]);

        // A new activation (another store, e.g. on another silo) loads, then appends after what is stored...
        var second = new BlobActorStateStore(_container);
        var loaded = await second.LoadAsync(Agent);
        Assert.Equal(3, loaded.LastSequence);
        Assert.Equal(4, await second.AppendAsync(Agent, [Bytes("d")]));

        // ...and so does one that appends without loading first (the store reads its cursor itself).
        var third = new BlobActorStateStore(_container);
        Assert.Equal(6, await third.AppendAsync(Agent, [Bytes("e"), Bytes("f")]));
        Assert.Equal(2, await third.WriteSnapshotAsync(Agent, Bytes("s2"), 6, 1));
        Assert.Equal(7, await third.AppendAsync(Agent, [Bytes("g")]));

        var state = await new BlobActorStateStore(_container).LoadAsync(Agent);
        Assert.Equal("s2", Text(state.Snapshot!.Value));
        Assert.Equal(["g"], state.Journal.Select(e => Text(e.Data)));
        Assert.Equal(7, state.LastSequence);
    }

    [Fact]
    public async Task A_second_store_appending_the_same_sequence_gets_a_conflict_and_then_reloads()
    {
        var owner = new BlobActorStateStore(_container);
        var rival = new BlobActorStateStore(_container);
        await owner.LoadAsync(Agent);
        await rival.LoadAsync(Agent);

        Assert.Equal(1, await owner.AppendAsync(Agent, [Bytes("owner")]));
        await Assert.ThrowsAsync<ActorStateConflictException>(() => rival.AppendAsync(Agent, [Bytes("rival")]));

        // The owner's entry is untouched; the rival's cursor was dropped, so its next append reloads and goes after.
        Assert.Equal(["owner"], (await new BlobActorStateStore(_container).LoadAsync(Agent)).Journal.Select(e => Text(e.Data)));
        Assert.Equal(2, await rival.AppendAsync(Agent, [Bytes("rival, reloaded")]));
        await Assert.ThrowsAsync<ActorStateConflictException>(() => owner.AppendAsync(Agent, [Bytes("owner, stale")]));
        Assert.Equal(["owner", "rival, reloaded"], (await new BlobActorStateStore(_container).LoadAsync(Agent)).Journal.Select(e => Text(e.Data)));
    }

    [Fact]
    public async Task A_second_store_writing_a_stale_snapshot_gets_a_conflict()
    {
        var owner = new BlobActorStateStore(_container);
        var rival = new BlobActorStateStore(_container);
        await owner.AppendAsync(Agent, [Bytes("a")]);
        Assert.Equal(1, await owner.WriteSnapshotAsync(Agent, Bytes("v1"), 1, 0));
        await rival.LoadAsync(Agent); // both at version 1

        Assert.Equal(2, await owner.WriteSnapshotAsync(Agent, Bytes("v2 by owner"), 1, 1));
        await Assert.ThrowsAsync<ActorStateConflictException>(() => rival.WriteSnapshotAsync(Agent, Bytes("v2 by rival"), 1, 1));
        Assert.Equal("v2 by owner", Text((await new BlobActorStateStore(_container).LoadAsync(Agent)).Snapshot!.Value));

        // Creating the first snapshot races the same way (If-None-Match instead of If-Match).
        var other = new ActorId("agent", "acme/first-snapshot");
        var a = new BlobActorStateStore(_container);
        var b = new BlobActorStateStore(_container);
        await a.LoadAsync(other);
        await b.LoadAsync(other);
        Assert.Equal(1, await a.WriteSnapshotAsync(other, Bytes("a"), 0, 0));
        await Assert.ThrowsAsync<ActorStateConflictException>(() => b.WriteSnapshotAsync(other, Bytes("b"), 0, 0));
        Assert.Equal("a", Text((await new BlobActorStateStore(_container).LoadAsync(other)).Snapshot!.Value));
    }

    [Fact]
    public async Task A_stale_store_cannot_reuse_a_sequence_whose_journal_blob_a_newer_snapshot_deleted()
    {
        var stale = new BlobActorStateStore(_container);
        var owner = new BlobActorStateStore(_container);
        await stale.AppendAsync(Agent, [Bytes("1")]);       // stale's cursor: next sequence 2, no snapshot
        await owner.AppendAsync(Agent, [Bytes("2"), Bytes("3")]);
        await owner.WriteSnapshotAsync(Agent, Bytes("covers 1-3"), 3, 0); // deletes journal blobs 1 and 2
        Assert.Equal([Snapshot], await BlobNamesAsync());

        // The name journal/…2 is free again; creating it succeeds, but the snapshot covers it: refused, and removed.
        await Assert.ThrowsAsync<ActorStateConflictException>(() => stale.AppendAsync(Agent, [Bytes("lost?")]));
        Assert.Equal([Snapshot], await BlobNamesAsync());

        // Reloaded, the stale store appends after the snapshot, and that write is what a load returns.
        Assert.Equal(4, await stale.AppendAsync(Agent, [Bytes("4")]));
        var state = await new BlobActorStateStore(_container).LoadAsync(Agent);
        Assert.Equal("covers 1-3", Text(state.Snapshot!.Value));
        Assert.Equal(["4"], state.Journal.Select(e => Text(e.Data)));
    }

    [Fact]
    public async Task Clear_removes_every_blob_of_the_actor_and_only_those()
    {
        var store = new BlobActorStateStore(_container);
        var neighbour = new ActorId("agent", "acme/round-trip-2"); // a key that extends the cleared one
        await store.AppendAsync(Agent, [Bytes("a")]);
        await store.WriteSnapshotAsync(Agent, Bytes("s"), 1, 0);
        await store.AppendAsync(Agent, [Bytes("b")]);
        await store.AppendAsync(neighbour, [Bytes("n")]);
        Assert.Equal(3, (await BlobNamesAsync()).Count);

        await store.ClearAsync(Agent);

        Assert.Equal(["agent/acme%2Fround-trip-2/journal/0000000000000000001"], await BlobNamesAsync());
        Assert.False((await new BlobActorStateStore(_container).LoadAsync(Agent)).Exists);
        Assert.Equal(["acme/round-trip-2"], await store.ListKeysAsync("agent", ""));

        // Sequences and versions start over, in this store and in a fresh one.
        Assert.Equal(1, await store.AppendAsync(Agent, [Bytes("again")]));
        Assert.Equal(1, await new BlobActorStateStore(_container).WriteSnapshotAsync(Agent, Bytes("s"), 1, 0));
    }

    [Fact]
    public async Task ListKeysAsync_lists_stored_actors_by_type_and_prefix()
    {
        var store = new BlobActorStateStore(_container);
        await store.AppendAsync(new ActorId("agent", "acme/zed"), [Bytes("z")]);
        await store.AppendAsync(new ActorId("agent", "acme/bob"), [Bytes("b")]);
        await store.AppendAsync(new ActorId("agent", "acme/bob"), [Bytes("b2")]);      // two journal blobs, one key
        await store.WriteSnapshotAsync(new ActorId("agent", "acme/alice"), Bytes("s"), 0, 0); // snapshot only
        await store.AppendAsync(new ActorId("agent", "acme/gone"), [Bytes("g")]);
        await store.ClearAsync(new ActorId("agent", "acme/gone"));
        await store.AppendAsync(new ActorId("agent", "other/carol"), [Bytes("c")]);
        await store.AppendAsync(new ActorId("shard", "acme/index/shard-0"), [Bytes("v")]);

        Assert.Equal(["acme/alice", "acme/bob", "acme/zed"], await store.ListKeysAsync("agent", "acme/"));
        Assert.Equal(["acme/alice", "acme/bob", "acme/zed", "other/carol"], await store.ListKeysAsync("agent", ""));
        Assert.Equal(["acme/index/shard-0"], await store.ListKeysAsync("shard", "acme"));
        Assert.Empty(await store.ListKeysAsync("agent", "nobody/"));
        Assert.Empty(await new BlobActorStateStore(_container).ListKeysAsync("tenant", ""));
    }

    [Fact]
    public async Task A_page_of_keys_is_in_ordinal_order_of_the_names_not_of_their_escaped_blob_names()
    {
        // Escaped, '@' and ':' become "%40" and "%3A", which sort before letters and digits: the page is still in the
        // names' ordinal order ("a-", "a0", "a:", "a@", "aa").
        IActorStateStore store = new BlobActorStateStore(_container);
        foreach (var name in new[] { "aa", "a@", "a:", "a0", "a-" })
        {
            await store.AppendAsync(new ActorId("agent", "page/" + name), [Bytes(name)]);
        }

        await store.AppendAsync(new ActorId("agent", "page-2/a0"), [Bytes("other tenant")]);
        Assert.Equal(["page/a-", "page/a0"], await store.ListKeysAsync("agent", "page/", null, 2));
        Assert.Equal(["page/a:", "page/a@"], await store.ListKeysAsync("agent", "page/", "page/a0", 2));
        Assert.Equal(["page/aa"], await store.ListKeysAsync("agent", "page/", "page/a@", 2));
        Assert.Empty(await store.ListKeysAsync("agent", "page/", "page/aa", 2));
    }

    private static string Snapshot => "agent/acme%2Fround-trip/snapshot";

    private static string Journal(long first) => "agent/acme%2Fround-trip/journal/" + first.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ReadOnlyMemory<byte> data) => Encoding.UTF8.GetString(data.Span);

    private async Task<List<string>> BlobNamesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in _container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }
}

/// <summary>The contract every <see cref="IActorStateStore"/> meets (the SQLite and in-memory stores run the same
/// tests), here with <see cref="BlobActorStateStore"/> on Azurite: one fresh container per test.</summary>
[Collection(AzuriteTests.Name)]
public sealed class BlobStoreContractTests(AzuriteFixture azurite) : ActorStateStoreContract
{
    protected override Task<IActorStateStore> CreateAsync() =>
        Task.FromResult<IActorStateStore>(new BlobActorStateStore(new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("c" + Guid.NewGuid().ToString("N")[..12])));
}
