namespace MemoryFabric.Orleans.Storage;

/// <summary>
/// The snapshot record of an actor in Orleans grain storage (state name <see cref="GrainActorStorage.SnapshotStateName"/>):
/// the snapshot bytes, the actor-visible version and where its journal continues.
/// </summary>
[GenerateSerializer]
[Alias("memoryfabric.snapshot")]
public sealed class ActorSnapshotRecord
{
    /// <summary>The snapshot bytes; <see langword="null"/> after a clear (a tombstone that keeps the sequence).</summary>
    [Id(0)]
    public byte[]? Data { get; set; }

    /// <summary>The snapshot version the actor sees (1, 2, …; 0 after a clear).</summary>
    [Id(1)]
    public long Version { get; set; }

    /// <summary>The last journal sequence the snapshot includes.</summary>
    [Id(2)]
    public long JournalSequence { get; set; }

    /// <summary>The first sequence of the first journal record still needed: loading reads the journal from here.</summary>
    [Id(3)]
    public long JournalStart { get; set; } = 1;

    /// <summary>Whether the actor was cleared: nothing is stored, but sequences go on from
    /// <see cref="JournalStart"/> so that no journal record name is ever reused.</summary>
    [Id(4)]
    public bool Cleared { get; set; }
}

/// <summary>One journal record (state name <c>journal-{FirstSequence}</c>): the entries of one append, written
/// create-only, never rewritten, deleted once a snapshot covers them.</summary>
[GenerateSerializer]
[Alias("memoryfabric.journal")]
public sealed class ActorJournalRecord
{
    /// <summary>The sequence of the first entry.</summary>
    [Id(0)]
    public long FirstSequence { get; set; }

    /// <summary>The entries, in order (sequences <see cref="FirstSequence"/>, +1, …).</summary>
    [Id(1)]
    public List<byte[]> Entries { get; set; } = [];

    /// <summary>The sequence of the last entry.</summary>
    public long LastSequence => FirstSequence + Entries.Count - 1;
}
