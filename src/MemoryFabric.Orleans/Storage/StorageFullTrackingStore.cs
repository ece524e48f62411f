namespace MemoryFabric.Orleans.Storage;

/// <summary>Reports every write of a store to a <see cref="StorageFullMonitor"/>: a <see cref="StorageFullException"/>
/// sets the condition, a write that succeeds clears it. Reads pass through. Gives the monitor its probe: a 64 KB
/// snapshot of an actor of this process (<c>memoryfabric.storage-probe</c>), written then removed.</summary>
internal sealed class StorageFullTrackingStore : IActorStateStore
{
    private static readonly ReadOnlyMemory<byte> ProbeData = new byte[64 * 1024];

    private readonly IActorStateStore _inner;
    private readonly StorageFullMonitor _monitor;
    private readonly ActorId _probeActor = new("memoryfabric.storage-probe", $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>Wraps a store.</summary>
    /// <param name="inner">The store.</param>
    /// <param name="monitor">The monitor.</param>
    public StorageFullTrackingStore(IActorStateStore inner, StorageFullMonitor monitor)
    {
        _inner = inner;
        _monitor = monitor;
        monitor.SetProbe(ProbeAsync);
    }

    /// <inheritdoc />
    public Task<ActorState> LoadAsync(ActorId actorId, CancellationToken cancellationToken = default) =>
        _inner.LoadAsync(actorId, cancellationToken);

    /// <inheritdoc />
    public Task<long> AppendAsync(ActorId actorId, IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default) =>
        TrackAsync(_inner.AppendAsync(actorId, entries, cancellationToken));

    /// <inheritdoc />
    public Task<long> WriteSnapshotAsync(ActorId actorId, ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default) =>
        TrackAsync(_inner.WriteSnapshotAsync(actorId, snapshot, journalSequence, expectedVersion, cancellationToken));

    /// <inheritdoc />
    public async Task ClearAsync(ActorId actorId, CancellationToken cancellationToken = default) =>
        await TrackAsync(ClearAsync(_inner, actorId, cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc />
    public Task PurgeDeletedAsync(CancellationToken cancellationToken = default) => _inner.PurgeDeletedAsync(cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, CancellationToken cancellationToken = default) =>
        _inner.ListKeysAsync(actorType, keyPrefix, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, string? afterKey, int limit, CancellationToken cancellationToken = default) =>
        _inner.ListKeysAsync(actorType, keyPrefix, afterKey, limit, cancellationToken);

    // Big enough to need real free space (sixteen pages in SQLite), then removed.
    private async Task ProbeAsync()
    {
        var state = await _inner.LoadAsync(_probeActor).ConfigureAwait(false);
        await TrackAsync(_inner.WriteSnapshotAsync(_probeActor, ProbeData, 0, state.SnapshotVersion)).ConfigureAwait(false);
        await _inner.ClearAsync(_probeActor).ConfigureAwait(false);
    }

    private static async Task<bool> ClearAsync(IActorStateStore store, ActorId actorId, CancellationToken cancellationToken)
    {
        await store.ClearAsync(actorId, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<T> TrackAsync<T>(Task<T> write)
    {
        try
        {
            var result = await write.ConfigureAwait(false);
            _monitor.ReportWritten();
            return result;
        }
        catch (StorageFullException e)
        {
            _monitor.ReportFull(e);
            throw;
        }
    }
}
