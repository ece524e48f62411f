namespace MemoryFabric.Runtime;

/// <summary>
/// One actor's durable state: a snapshot plus an append-only journal of the changes since. A write is acknowledged
/// only once its journal entry is durable; compaction folds the journal into a new snapshot.
/// </summary>
public interface IActorStorage
{
    /// <summary>Loads the latest snapshot and the journal entries written after it.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored state; <see cref="ActorState.Exists"/> is <see langword="false"/> for a new actor.</returns>
    Task<ActorState> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends entries to the journal, atomically: all or none. Durable when the task completes.</summary>
    /// <param name="entries">The entries, in order.</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns>The sequence number of the last entry.</returns>
    Task<long> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default);

    /// <summary>Writes a snapshot that covers the journal up to <paramref name="journalSequence"/> and removes those
    /// entries, atomically.</summary>
    /// <param name="snapshot">The snapshot bytes.</param>
    /// <param name="journalSequence">The last journal entry the snapshot includes.</param>
    /// <param name="expectedVersion">The snapshot version this one replaces (0 when there is none).</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns>The new snapshot version.</returns>
    /// <exception cref="ActorStateConflictException">The stored version is not <paramref name="expectedVersion"/>.</exception>
    Task<long> WriteSnapshotAsync(ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Removes the snapshot, the journal and the reminders of the actor, for good.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the removal is durable.</returns>
    Task ClearAsync(CancellationToken cancellationToken = default);
}

/// <summary>An actor's stored state.</summary>
/// <param name="Snapshot">The latest snapshot, or <see langword="null"/> when none was written.</param>
/// <param name="SnapshotVersion">Its version (0 when there is none).</param>
/// <param name="SnapshotJournalSequence">The last journal sequence the snapshot includes (0 when there is none).</param>
/// <param name="Journal">The journal entries after the snapshot, in order.</param>
public sealed record ActorState(
    ReadOnlyMemory<byte>? Snapshot,
    long SnapshotVersion,
    long SnapshotJournalSequence,
    IReadOnlyList<JournalEntry> Journal)
{
    /// <summary>An actor with nothing stored.</summary>
    public static ActorState Empty { get; } = new(null, 0, 0, []);

    /// <summary>Whether anything is stored.</summary>
    public bool Exists => Snapshot is not null || Journal.Count > 0;

    /// <summary>The last journal sequence, stored in the journal or included in the snapshot.</summary>
    public long LastSequence => Journal.Count > 0 ? Journal[^1].Sequence : SnapshotJournalSequence;
}

/// <summary>One journal entry.</summary>
/// <param name="Sequence">Its sequence number, increasing per actor.</param>
/// <param name="Data">Its bytes.</param>
public sealed record JournalEntry(long Sequence, ReadOnlyMemory<byte> Data);
