using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;

namespace MemoryFabric.Persistence;

/// <summary>
/// A durable change to an <see cref="AgentMemory"/>: what an externally acknowledged write did, as returned by
/// <see cref="AgentMemory.DrainChanges"/>, journaled with <see cref="MemoryChangeCodec"/> and replayed with
/// <see cref="AgentMemory.ApplyChanges"/>. The subtypes are <see cref="TurnStored"/>, <see cref="NoteVersionWritten"/>
/// <see cref="NoteVersionsPurged"/>, <see cref="TurnsForgotten"/>, the guard's <see cref="QuarantineChanged"/> and <see cref="LessonChanged"/>, and
/// <see cref="NotesRecalled"/> (from <see cref="AgentMemory.DrainRecalls"/>, not from the feed).
/// </summary>
/// <remarks>
/// Consolidation (episodes, extracted notes, links, decay) and dense embeddings computed by
/// <see cref="AgentMemory.EmbedPendingAsync"/> are not changes: the next snapshot captures them. Recall
/// reinforcement is in the next snapshot too, or, when none is due, journaled as one <see cref="NotesRecalled"/>.
/// </remarks>
public abstract record MemoryChange
{
    private protected MemoryChange()
    {
    }
}

/// <summary>A turn was stored by an ingest. Replay skips a turn whose id is already stored.</summary>
/// <param name="Turn">The stored turn, with its sequence number.</param>
public sealed record TurnStored(Turn Turn) : MemoryChange
{
    /// <summary>The turn's dense vector when it was embedded at ingest (empty when embedding was deferred); replay
    /// indexes it as is instead of queueing the turn for embedding.</summary>
    public ReadOnlyMemory<float> DenseVector { get; init; }

    /// <summary>The embedding model that produced <see cref="DenseVector"/>, if the embedder reports one. Replay
    /// with another model queues the turn instead of using the vector.</summary>
    public string? EmbeddingModelId { get; init; }
}

/// <summary>A note version was written (added, updated, superseded, tombstoned or imported). Replay upserts it by
/// id: the record is stored as is, replacing a stored version with the same id.</summary>
/// <param name="Note">The version as it stands after the write.</param>
public sealed record NoteVersionWritten(Note Note) : MemoryChange
{
    /// <summary>The note's dense vector when it was embedded by the write (empty otherwise).</summary>
    public ReadOnlyMemory<float> DenseVector { get; init; }

    /// <summary>The embedding model that produced <see cref="DenseVector"/>, if known.</summary>
    public string? EmbeddingModelId { get; init; }
}

/// <summary>Note versions were removed for good (a purge). Replay removes them if present.</summary>
/// <param name="NoteIds">The removed version ids.</param>
public sealed record NoteVersionsPurged(IReadOnlyList<string> NoteIds) : MemoryChange;

/// <summary>Turns were forgotten (<see cref="AgentMemory.ForgetTurnsAsync"/>). It carries ids only, never text. Replay
/// forgets them again: the turns present are removed, redacted from their episodes, the notes drawn only from them
/// removed and the others stripped of them.</summary>
/// <param name="TurnIds">The forgotten turn ids.</param>
public sealed record TurnsForgotten(IReadOnlyList<string> TurnIds) : MemoryChange;

/// <summary>A quarantine entry was created or changed status (flagged, confirmed, released). Replay upserts it by
/// item id and keeps the item out of retrieval (or puts it back, when released).</summary>
/// <param name="Entry">The entry as it stands after the change.</param>
public sealed record QuarantineChanged(QuarantineEntry Entry) : MemoryChange
{
    /// <summary>A note written through the API and quarantined at write: it is held outside the note store (so it
    /// supersedes nothing) until released. <see langword="null"/> for any other item.</summary>
    public Note? HeldNote { get; init; }
}

/// <summary>A guard lesson was distilled or revoked. Replay upserts it by id.</summary>
/// <param name="Lesson">The lesson as it stands after the change.</param>
public sealed record LessonChanged(GuardLesson Lesson) : MemoryChange;

/// <summary>Notes were recalled into contexts (recall reinforcement: strength restored, one more recall). It carries
/// each note's recall state as it stood when drained, not the recall events, so replaying it sets that state and is
/// harmless twice. Replay skips notes no longer stored.</summary>
/// <param name="Notes">The recall state of each recalled note.</param>
public sealed record NotesRecalled(IReadOnlyList<NoteRecall> Notes) : MemoryChange;

/// <summary>The recall state of one note version.</summary>
/// <param name="NoteId">The note version id.</param>
/// <param name="RecallCount">How many times it was recalled.</param>
/// <param name="LastRecalledAt">When it was last recalled.</param>
/// <param name="Strength">Its strength at <paramref name="LastRecalledAt"/>.</param>
public sealed record NoteRecall(string NoteId, int RecallCount, DateTimeOffset LastRecalledAt, double Strength);
