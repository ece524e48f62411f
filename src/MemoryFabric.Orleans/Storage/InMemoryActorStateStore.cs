namespace MemoryFabric.Orleans.Storage;

/// <summary>
/// An <see cref="IActorStateStore"/> in process memory, with the same version and sequence semantics as the SQLite
/// store: for tests and ephemeral local use. Nothing survives the process.
/// </summary>
public sealed class InMemoryActorStateStore : IActorStateStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ActorId, Record> _actors = [];

    /// <summary>The number of actors with stored state.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _actors.Count;
            }
        }
    }

    /// <inheritdoc />
    public Task<ActorState> LoadAsync(ActorId actorId, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<ActorState>(cancellationToken);
        }

        lock (_lock)
        {
            if (!_actors.TryGetValue(actorId, out var record))
            {
                return Task.FromResult(ActorState.Empty);
            }

            // Not "bytes ?? null": null converts to byte[] and then, implicitly, to an empty (non-null) memory.
            ReadOnlyMemory<byte>? snapshot = null;
            if (record.Snapshot is { } bytes)
            {
                snapshot = bytes;
            }

            return Task.FromResult(new ActorState(snapshot, record.Version, record.SnapshotSequence, record.Journal.ToArray()));
        }
    }

    /// <inheritdoc />
    public Task<long> AppendAsync(ActorId actorId, IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<long>(cancellationToken);
        }

        // Copy before taking the lock: the caller owns its buffers.
        var data = new byte[entries.Count][];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = entries[i].ToArray();
        }

        lock (_lock)
        {
            if (!_actors.TryGetValue(actorId, out var record))
            {
                if (entries.Count == 0)
                {
                    return Task.FromResult(0L);
                }

                record = new Record();
                _actors.Add(actorId, record);
            }

            for (var i = 0; i < data.Length; i++)
            {
                record.Journal.Add(new JournalEntry(record.LastSequence + i + 1, data[i]));
            }

            record.LastSequence += data.Length;
            return Task.FromResult(record.LastSequence);
        }
    }

    /// <inheritdoc />
    public Task<long> WriteSnapshotAsync(ActorId actorId, ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(journalSequence);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<long>(cancellationToken);
        }

        var copy = snapshot.ToArray();
        lock (_lock)
        {
            _actors.TryGetValue(actorId, out var record);
            var stored = record?.Version ?? 0;
            if (stored != expectedVersion)
            {
                return Task.FromException<long>(new ActorStateConflictException(actorId, expectedVersion, stored));
            }

            if (record is not null && journalSequence < record.SnapshotSequence)
            {
                return Task.FromException<long>(new ArgumentOutOfRangeException(
                    nameof(journalSequence),
                    journalSequence,
                    $"The snapshot of {actorId} already covers the journal up to {record.SnapshotSequence}."));
            }

            if (record is null)
            {
                record = new Record();
                _actors.Add(actorId, record);
            }

            record.Snapshot = copy;
            record.Version = stored + 1;
            record.SnapshotSequence = journalSequence;
            record.Journal.RemoveAll(e => e.Sequence <= journalSequence);
            record.LastSequence = Math.Max(record.LastSequence, journalSequence);
            return Task.FromResult(record.Version);
        }
    }

    /// <inheritdoc />
    public Task ClearAsync(ActorId actorId, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        lock (_lock)
        {
            _actors.Remove(actorId);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actorType);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<string>>(cancellationToken);
        }

        List<string> keys;
        lock (_lock)
        {
            keys = [.. _actors
                .Where(a => string.Equals(a.Key.Type, actorType, StringComparison.Ordinal)
                    && a.Key.Key.StartsWith(keyPrefix, StringComparison.Ordinal)
                    && (a.Value.Snapshot is not null || a.Value.Journal.Count > 0))
                .Select(a => a.Key.Key)];
        }

        keys.Sort(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<string>>(keys);
    }

    private sealed class Record
    {
        public byte[]? Snapshot { get; set; }

        public long Version { get; set; }

        public long SnapshotSequence { get; set; }

        public long LastSequence { get; set; }

        public List<JournalEntry> Journal { get; } = [];
    }
}
