using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace MemoryFabric.Orleans.Tests;

/// <summary>The snapshot + journal model over grain storage, without a cluster.</summary>
public sealed class GrainActorStorageTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Appends_are_separate_records_and_a_snapshot_drops_the_ones_it_covers()
    {
        var (storage, grainId, name) = Create();
        Assert.False((await storage.LoadAsync()).Exists);
        Assert.Equal(1, await storage.AppendAsync([Bytes(1)]));
        Assert.Equal(3, await storage.AppendAsync([Bytes(2), Bytes(3)]));
        Assert.Equal(2, SharedGrainStorage.Count(name + "|journal-"));

        var reloaded = await Fresh(grainId).LoadAsync();
        Assert.Equal([1L, 2L, 3L], reloaded.Journal.Select(e => e.Sequence));
        Assert.Equal(3, reloaded.LastSequence);

        Assert.Equal(1, await storage.WriteSnapshotAsync(Bytes(9), 3, 0));
        Assert.Equal(0, SharedGrainStorage.Count(name + "|journal-"));
        Assert.Equal(4, await storage.AppendAsync([Bytes(4)]));

        var state = await Fresh(grainId).LoadAsync();
        Assert.Equal(Bytes(9), state.Snapshot!.Value.ToArray());
        Assert.Equal(1, state.SnapshotVersion);
        Assert.Equal(3, state.SnapshotJournalSequence);
        Assert.Equal([4L], state.Journal.Select(e => e.Sequence));
    }

    [Fact]
    public async Task A_stale_version_or_a_second_writer_is_a_conflict()
    {
        var (first, grainId, _) = Create();
        await first.LoadAsync();
        await first.AppendAsync([Bytes(1)]);
        await Assert.ThrowsAsync<ActorStateConflictException>(() => first.WriteSnapshotAsync(Bytes(1), 1, expectedVersion: 5));

        // A second activation of the same actor (split brain) loaded the same state and writes the same record.
        var second = Fresh(grainId);
        await second.LoadAsync();
        await first.AppendAsync([Bytes(2)]);
        await Assert.ThrowsAsync<ActorStateConflictException>(() => second.AppendAsync([Bytes(3)]));
        await first.WriteSnapshotAsync(Bytes(8), 2, 0);
        await Assert.ThrowsAsync<ActorStateConflictException>(() => second.WriteSnapshotAsync(Bytes(9), 1, 0));
    }

    [Fact]
    public async Task Clear_removes_everything_and_sequences_go_on()
    {
        var (storage, grainId, name) = Create();
        await storage.LoadAsync();
        await storage.AppendAsync([Bytes(1)]);
        await storage.WriteSnapshotAsync(Bytes(7), 1, 0);
        await storage.AppendAsync([Bytes(2)]);
        await storage.ClearAsync();
        Assert.Equal(0, SharedGrainStorage.Count(name + "|journal-"));
        Assert.False((await Fresh(grainId).LoadAsync()).Exists);

        // A new life: version 0 again, and no journal record name reused.
        var again = Fresh(grainId);
        var state = await again.LoadAsync();
        Assert.Equal(0, state.SnapshotVersion);
        Assert.Equal(3, await again.AppendAsync([Bytes(3)]));
        Assert.Equal(1, await again.WriteSnapshotAsync(Bytes(5), 3, 0));
    }

    private static byte[] Bytes(byte b) => [b, b];

    private (GrainActorStorage Storage, GrainId GrainId, string Name) Create()
    {
        var name = "s" + Guid.NewGuid().ToString("N")[..10];
        var grainId = GrainId.Create("test", name);
        return (Fresh(grainId), grainId, name);
    }

    private GrainActorStorage Fresh(GrainId grainId) =>
        new(new SharedGrainStorage(_services.GetRequiredService<Serializer>()), grainId, new ActorId("test", grainId.Key.ToString()!));
}
