namespace MemoryFabric.Orleans.Storage;

/// <summary>The storage seam for grain state kept as a snapshot plus an append-only journal (SQLite embedded, Azure
/// Blob in a cluster, memory in tests): every agent and vector shard, and the small grains through
/// <see cref="ActorStoreGrainStorage"/>. <see cref="ActorStorage"/> is one grain's view of it.</summary>
public interface IActorStateStore
{
    /// <summary>Loads an actor's snapshot and journal.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored state.</returns>
    Task<ActorState> LoadAsync(ActorId actorId, CancellationToken cancellationToken = default);

    /// <summary>Appends journal entries atomically; durable when the task completes.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="entries">The entries.</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns>The sequence number of the last entry.</returns>
    Task<long> AppendAsync(ActorId actorId, IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default);

    /// <summary>Writes a snapshot and drops the journal entries it covers, atomically, if the stored version matches.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="snapshot">The snapshot bytes.</param>
    /// <param name="journalSequence">The last journal entry the snapshot includes.</param>
    /// <param name="expectedVersion">The version it replaces (0 when there is none).</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="ActorStateConflictException">The stored version differs.</exception>
    Task<long> WriteSnapshotAsync(ActorId actorId, ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Removes an actor's snapshot and journal for good.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task ClearAsync(ActorId actorId, CancellationToken cancellationToken = default);

    /// <summary>Makes what earlier writes deleted or replaced unrecoverable from the store's files (a forget or a
    /// purge): SQLite zeroes deleted content and empties its write-ahead log. The default does nothing (a store whose
    /// deleted data leaves no copy behind, or one that cannot do better).</summary>
    /// <param name="cancellationToken">Cancels the call before anything is done.</param>
    /// <returns>A task that completes when the earlier writes' deleted data is gone from the files.</returns>
    Task PurgeDeletedAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Lists the keys of the stored actors of a type whose key starts with <paramref name="keyPrefix"/>.</summary>
    /// <param name="actorType">The actor type.</param>
    /// <param name="keyPrefix">The key prefix (e.g. <c>tenant/</c>); empty for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The keys, in ordinal order.</returns>
    Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, CancellationToken cancellationToken = default);

    /// <summary>Lists one page of the keys of the stored actors of a type whose key starts with
    /// <paramref name="keyPrefix"/>: the first <paramref name="limit"/> keys after <paramref name="afterKey"/>, in
    /// ordinal order. A store that can seek in its key order overrides this; the default lists every key of the prefix
    /// and keeps the page.</summary>
    /// <param name="actorType">The actor type.</param>
    /// <param name="keyPrefix">The key prefix (e.g. <c>tenant/</c>); empty for all.</param>
    /// <param name="afterKey">Only keys ordinally after this one, or all when <see langword="null"/>.</param>
    /// <param name="limit">At most this many keys (at least 1).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The keys, in ordinal order.</returns>
    async Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, string? afterKey, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var keys = await ListKeysAsync(actorType, keyPrefix, cancellationToken).ConfigureAwait(false);
        return keys.Where(k => afterKey is null || string.CompareOrdinal(k, afterKey) > 0).Take(limit).ToList();
    }
}
