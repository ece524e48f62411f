namespace MemoryFabric.Orleans.Storage;

/// <summary>
/// One grain's view of an <see cref="IActorStateStore"/>: its snapshot plus an append-only journal of the changes
/// since, under its <see cref="ActorId"/>. A write is acknowledged only once its journal entry is durable; compaction
/// folds the journal into a new snapshot.
/// </summary>
/// <param name="store">The store (SQLite embedded, Azure Blob in a cluster, memory in tests).</param>
/// <param name="id">The grain's record key.</param>
public sealed class ActorStorage(IActorStateStore store, ActorId id)
{
    private readonly IActorStateStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>The record key.</summary>
    public ActorId Id { get; } = id;

    /// <summary>Loads the latest snapshot and the journal entries written after it.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored state; <see cref="ActorState.Exists"/> is <see langword="false"/> for a new grain.</returns>
    public Task<ActorState> LoadAsync(CancellationToken cancellationToken = default) => _store.LoadAsync(Id, cancellationToken);

    /// <summary>Appends entries to the journal, atomically: all or none. Durable when the task completes.</summary>
    /// <param name="entries">The entries, in order.</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns>The sequence number of the last entry.</returns>
    public Task<long> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default) =>
        _store.AppendAsync(Id, entries, cancellationToken);

    /// <summary>Writes a snapshot covering the journal up to <paramref name="journalSequence"/> and drops those
    /// entries, atomically, if the stored version is <paramref name="expectedVersion"/>.</summary>
    /// <param name="snapshot">The snapshot bytes.</param>
    /// <param name="journalSequence">The last journal entry the snapshot includes.</param>
    /// <param name="expectedVersion">The version it replaces (0 when there is none).</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns>The new snapshot version.</returns>
    /// <exception cref="ActorStateConflictException">The stored version differs.</exception>
    public Task<long> WriteSnapshotAsync(ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default) =>
        _store.WriteSnapshotAsync(Id, snapshot, journalSequence, expectedVersion, cancellationToken);

    /// <summary>Removes the snapshot and the journal for good.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the removal is durable.</returns>
    public Task ClearAsync(CancellationToken cancellationToken = default) => _store.ClearAsync(Id, cancellationToken);

    /// <summary>Makes what earlier writes deleted unrecoverable from the store's files (see <see cref="IActorStateStore.PurgeDeletedAsync"/>).</summary>
    /// <param name="cancellationToken">Cancels the call before anything is done.</param>
    /// <returns>A task.</returns>
    public Task PurgeDeletedAsync(CancellationToken cancellationToken = default) => _store.PurgeDeletedAsync(cancellationToken);
}
