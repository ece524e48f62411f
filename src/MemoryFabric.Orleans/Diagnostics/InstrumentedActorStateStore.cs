using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Orleans.Diagnostics;

/// <summary>Times every operation of an <see cref="IActorStateStore"/> into
/// <c>memoryfabric.storage.duration</c> and traces each in a <c>memoryfabric.storage.{operation}</c> span
/// (<see cref="StorageTracing"/>).</summary>
public sealed class InstrumentedActorStateStore : IActorStateStore
{
    private readonly IActorStateStore _inner;
    private readonly FabricGrainMetrics _metrics;
    private readonly TimeProvider _time;

    /// <summary>Wraps a store.</summary>
    /// <param name="inner">The store.</param>
    /// <param name="metrics">The instruments.</param>
    /// <param name="time">The clock.</param>
    public InstrumentedActorStateStore(IActorStateStore inner, FabricGrainMetrics metrics, TimeProvider time)
    {
        _inner = inner;
        _metrics = metrics;
        _time = time;
    }

    /// <inheritdoc />
    public async Task<ActorState> LoadAsync(ActorId actorId, CancellationToken cancellationToken = default)
    {
        using var activity = StorageTracing.Source.StartActivity("memoryfabric.storage.load");
        var start = _time.GetTimestamp();
        try
        {
            return await _inner.LoadAsync(actorId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _metrics.StorageCompleted("load", _time.GetElapsedTime(start));
        }
    }

    /// <inheritdoc />
    public async Task<long> AppendAsync(ActorId actorId, IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default)
    {
        using var activity = StorageTracing.Source.StartActivity("memoryfabric.storage.append");
        var start = _time.GetTimestamp();
        try
        {
            return await _inner.AppendAsync(actorId, entries, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _metrics.StorageCompleted("append", _time.GetElapsedTime(start));
        }
    }

    /// <inheritdoc />
    public async Task<long> WriteSnapshotAsync(ActorId actorId, ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default)
    {
        using var activity = StorageTracing.Source.StartActivity("memoryfabric.storage.snapshot");
        var start = _time.GetTimestamp();
        try
        {
            return await _inner.WriteSnapshotAsync(actorId, snapshot, journalSequence, expectedVersion, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _metrics.StorageCompleted("snapshot", _time.GetElapsedTime(start));
        }
    }

    /// <inheritdoc />
    public async Task ClearAsync(ActorId actorId, CancellationToken cancellationToken = default)
    {
        using var activity = StorageTracing.Source.StartActivity("memoryfabric.storage.clear");
        var start = _time.GetTimestamp();
        try
        {
            await _inner.ClearAsync(actorId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _metrics.StorageCompleted("clear", _time.GetElapsedTime(start));
        }
    }

    /// <inheritdoc />
    public Task PurgeDeletedAsync(CancellationToken cancellationToken = default) => _inner.PurgeDeletedAsync(cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, CancellationToken cancellationToken = default) =>
        _inner.ListKeysAsync(actorType, keyPrefix, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, string? afterKey, int limit, CancellationToken cancellationToken = default) =>
        _inner.ListKeysAsync(actorType, keyPrefix, afterKey, limit, cancellationToken);
}
