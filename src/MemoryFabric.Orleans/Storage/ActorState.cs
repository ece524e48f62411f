namespace MemoryFabric.Orleans.Storage;

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
