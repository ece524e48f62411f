using Azure.Storage.Blobs;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Storage;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary>The Azure Blob grain storage against Azurite: ETag concurrency, the fabric's snapshot + journal records,
/// clearing.</summary>
public sealed class BlobGrainStorageTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private readonly string _container = "t" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task ETags_make_writes_conditional()
    {
        var storage = Storage();
        var grain = GrainId.Create("agent", "acme/etag");
        var first = new GrainState<ActorSnapshotRecord>(new ActorSnapshotRecord { Version = 1 });
        await storage.WriteStateAsync("snapshot", grain, first);                    // If-None-Match: * (create)
        Assert.True(first.RecordExists);
        Assert.NotNull(first.ETag);

        // A second creator loses.
        var rival = new GrainState<ActorSnapshotRecord>(new ActorSnapshotRecord { Version = 9 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("snapshot", grain, rival));

        // A writer with the current ETag wins; one with the old ETag loses.
        var read = new GrainState<ActorSnapshotRecord>();
        await storage.ReadStateAsync("snapshot", grain, read);
        Assert.Equal(first.ETag, read.ETag);
        var stale = read.ETag;
        first.State!.Version = 2;
        await storage.WriteStateAsync("snapshot", grain, first);                    // If-Match: current
        Assert.NotEqual(stale, first.ETag);
        read.State!.Version = 3;
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("snapshot", grain, read));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("snapshot", grain, read));

        var now = new GrainState<ActorSnapshotRecord>();
        await storage.ReadStateAsync("snapshot", grain, now);
        Assert.Equal(2, now.State!.Version);
    }

    [Fact]
    public async Task Snapshot_and_journal_round_trip_as_separate_blobs()
    {
        var storage = Storage();
        var grain = GrainId.Create("agent", "acme/round-trip");
        var actor = new GrainActorStorage(storage, grain, new ActorId("agent", "acme/round-trip"));
        Assert.False((await actor.LoadAsync()).Exists);
        await actor.AppendAsync([new byte[] { 1 }]);
        await actor.AppendAsync([new byte[] { 2 }, new byte[] { 3 }]);
        Assert.Equal(["agent/acme%2Fround-trip/journal-1", "agent/acme%2Fround-trip/journal-2"], await BlobNamesAsync());

        // The snapshot covers sequences 1 to 3: its blob is written, then the journal blobs it covers are deleted.
        Assert.Equal(1, await actor.WriteSnapshotAsync(new byte[] { 9, 9 }, 3, 0));
        Assert.Equal(["agent/acme%2Fround-trip/snapshot"], await BlobNamesAsync());
        Assert.Equal(4, await actor.AppendAsync([new byte[] { 4 }]));
        Assert.Equal(2, (await BlobNamesAsync()).Count);

        var reloaded = await new GrainActorStorage(storage, grain, new ActorId("agent", "acme/round-trip")).LoadAsync();
        Assert.Equal(new byte[] { 9, 9 }, reloaded.Snapshot!.Value.ToArray());
        Assert.Equal(1, reloaded.SnapshotVersion);
        Assert.Equal(3, reloaded.SnapshotJournalSequence);
        var entry = Assert.Single(reloaded.Journal);
        Assert.Equal(4, entry.Sequence);
        Assert.Equal(new byte[] { 4 }, entry.Data.ToArray());

        // The actor's version check: a writer that expects an older snapshot is refused before any I/O.
        await Assert.ThrowsAsync<ActorStateConflictException>(() => actor.WriteSnapshotAsync(new byte[] { 1 }, 4, 0));
    }

    [Fact]
    public async Task Clear_deletes_the_blobs()
    {
        var storage = Storage();
        var grain = GrainId.Create("agent", "acme/clear");
        var actor = new GrainActorStorage(storage, grain, new ActorId("agent", "acme/clear"));
        await actor.LoadAsync();
        await actor.AppendAsync([new byte[] { 1 }]);
        await actor.WriteSnapshotAsync(new byte[] { 7 }, 1, 0);
        await actor.AppendAsync([new byte[] { 2 }]);
        Assert.Equal(2, (await BlobNamesAsync()).Count);

        await actor.ClearAsync();
        var left = await BlobNamesAsync();
        Assert.Equal([MemoryFabricBlobGrainStorage.BlobName(GrainActorStorage.SnapshotStateName, grain)], left); // a tombstone: no data, keeps the sequence
        Assert.False((await new GrainActorStorage(storage, grain, new ActorId("agent", "acme/clear")).LoadAsync()).Exists);

        var state = new GrainState<ActorSnapshotRecord>();
        await storage.ReadStateAsync("snapshot", grain, state);
        await storage.ClearStateAsync("snapshot", grain, state);
        Assert.Empty(await BlobNamesAsync());
        var gone = new GrainState<ActorSnapshotRecord>();
        await storage.ReadStateAsync("snapshot", grain, gone);
        Assert.False(gone.RecordExists);
        Assert.Null(gone.ETag);
    }

    private MemoryFabricBlobGrainStorage Storage() =>
        new(new MemoryFabricBlobStorageOptions { ConnectionString = azurite.ConnectionString, ContainerName = _container },
            _services.GetRequiredService<Serializer>(),
            NullLogger<MemoryFabricBlobGrainStorage>.Instance);

    private async Task<List<string>> BlobNamesAsync()
    {
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(_container);
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
