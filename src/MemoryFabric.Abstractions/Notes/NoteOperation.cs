namespace MemoryFabric.Notes;

/// <summary>What writing a note did (the ADD / UPDATE / DELETE / NOOP vocabulary of Mem0 and Memory-R1).</summary>
public enum NoteOperation
{
    /// <summary>A new note was added.</summary>
    Added,

    /// <summary>A new version was written; the previous one is kept as superseded.</summary>
    Updated,

    /// <summary>A contradicting note superseded an existing one on the same subject and attribute.</summary>
    Superseded,

    /// <summary>The note duplicated an existing one; nothing changed.</summary>
    NoOp,

    /// <summary>The note was tombstoned.</summary>
    Deleted,

    /// <summary>The note restated an active note and added to it: a new version of that note holds both (its text,
    /// the union of their source turns); the previous version is kept as superseded (reason "merge").</summary>
    Merged,
}

/// <summary>The result of a note write.</summary>
/// <param name="Operation">What happened.</param>
/// <param name="Note">The note version that is now current (for <see cref="NoteOperation.NoOp"/>, the existing one; for
/// <see cref="NoteOperation.Merged"/>, the new version of the note it merged into).</param>
/// <param name="Previous">The version that was superseded, merged into or deleted, if any.</param>
public sealed record NoteWriteResult(NoteOperation Operation, Note Note, Note? Previous = null);
