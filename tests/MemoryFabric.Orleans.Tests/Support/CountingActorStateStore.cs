using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Orleans.Tests.Support;

/// <summary>An in-memory store that counts the bytes written (journal appends and snapshots) per actor type.</summary>
internal sealed class CountingActorStateStore : IActorStateStore
{
    private readonly InMemoryActorStateStore _inner = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);

    public static CountingActorStateStore Instance { get; } = new();

    public InMemoryActorStateStore Inner => _inner;

    /// <summary>The bytes written so far for actors of a type whose key starts with a prefix.</summary>
    public long BytesWritten(string type, string keyPrefix)
    {
        lock (_lock)
        {
            return _bytes.GetValueOrDefault(type + ":" + keyPrefix);
        }
    }

    public Task<ActorState> LoadAsync(ActorId actorId, CancellationToken cancellationToken = default) => _inner.LoadAsync(actorId, cancellationToken);

    public Task<long> AppendAsync(ActorId actorId, IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default)
    {
        Count(actorId, entries.Sum(e => (long)e.Length));
        return _inner.AppendAsync(actorId, entries, cancellationToken);
    }

    public Task<long> WriteSnapshotAsync(ActorId actorId, ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default)
    {
        Count(actorId, snapshot.Length);
        return _inner.WriteSnapshotAsync(actorId, snapshot, journalSequence, expectedVersion, cancellationToken);
    }

    public Task ClearAsync(ActorId actorId, CancellationToken cancellationToken = default) => _inner.ClearAsync(actorId, cancellationToken);

    public Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, CancellationToken cancellationToken = default) =>
        _inner.ListKeysAsync(actorType, keyPrefix, cancellationToken);

    // Counted under the type and every prefix of the key up to each '/', and the whole key.
    private void Count(ActorId id, long bytes)
    {
        lock (_lock)
        {
            Add(id.Type + ":");
            for (var i = id.Key.IndexOf('/', StringComparison.Ordinal); i >= 0; i = id.Key.IndexOf('/', i + 1))
            {
                Add(id.Type + ":" + id.Key[..(i + 1)]);
            }

            Add(id.Type + ":" + id.Key);
        }

        void Add(string key) => _bytes[key] = _bytes.GetValueOrDefault(key) + bytes;
    }
}
