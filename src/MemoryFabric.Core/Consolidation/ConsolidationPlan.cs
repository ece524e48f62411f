using MemoryFabric.Conversation;
using MemoryFabric.Notes;

namespace MemoryFabric.Consolidation;

/// <summary>
/// The result of planning a consolidation (<see cref="AgentMemory.PlanConsolidationAsync"/>): each session's new
/// episodes and the notes proposed for the episodes not extracted before, with their index texts and, unless
/// embedding is deferred, their vectors. Nothing of the memory has changed yet: <see cref="AgentMemory.ApplyConsolidation(ConsolidationPlan, TimeSpan)"/>
/// applies it, once, to the memory it was captured from.
/// </summary>
public sealed class ConsolidationPlan
{
    private Dictionary<string, PlannedSession>? _bySession;

    internal ConsolidationPlan(object owner, IReadOnlyList<PlannedSession> sessions, IReadOnlyList<PlannedExtraction> extractions, TimeSpan duration)
    {
        Owner = owner;
        Sessions = sessions;
        Extractions = extractions;
        Duration = duration;
    }

    /// <summary>The stages of applying a plan, in order.</summary>
    internal enum ApplyStage
    {
        Sessions,
        Extractions,
        Links,
        Decay,
        Finish,
        Done,
    }

    /// <summary>The number of sessions segmented.</summary>
    public int SessionCount => Sessions.Count;

    /// <summary>The number of episodes whose notes were extracted.</summary>
    public int ExtractionCount => Extractions.Count;

    /// <summary>The number of notes proposed (before merging with the stored ones).</summary>
    public int ProposalCount => Extractions.Sum(e => e.Notes.Count);

    /// <summary>How long planning took.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Whether the plan has been applied completely.</summary>
    public bool IsApplied => Stage == ApplyStage.Done;

    internal object Owner { get; }

    /// <summary>The sessions, in consolidation order.</summary>
    internal IReadOnlyList<PlannedSession> Sessions { get; }

    /// <summary>The episodes not extracted before, by start, with their proposals.</summary>
    internal IReadOnlyList<PlannedExtraction> Extractions { get; }

    // How far AgentMemory.ApplyConsolidation got (it may apply a plan a step at a time).
    internal ApplyStage Stage { get; private set; }

    /// <summary>The next item of the stage (a session, an extraction).</summary>
    internal int Next { get; set; }

    /// <summary>The sessions whose episodes were replaced and that are unchanged since.</summary>
    internal HashSet<string> Applied { get; } = new(StringComparer.Ordinal);

    internal int Extracted { get; set; }

    internal int Added { get; set; }

    internal int Unchanged { get; set; }

    internal int Superseded { get; set; }

    internal int Links { get; set; }

    /// <summary>The active notes by entity, built at the start of the links stage.</summary>
    internal LinkIndex? LinkIndex { get; set; }

    internal int Archived { get; set; }

    internal PlannedSession Session(string sessionId) =>
        (_bySession ??= Sessions.ToDictionary(s => s.SessionId, StringComparer.Ordinal))[sessionId];

    internal void NextStage()
    {
        Stage++;
        Next = 0;
    }
}

/// <summary>A session segmented by the plan.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Turns">The turns it was segmented from (quarantined ones left out), in session order.</param>
/// <param name="Episodes">The episodes cut from them.</param>
/// <param name="Vectors">The episodes' vectors (null ones are queued for dense embedding).</param>
internal sealed record PlannedSession(string SessionId, IReadOnlyList<Turn> Turns, IReadOnlyList<Episode> Episodes, IReadOnlyList<float[]?> Vectors);

/// <summary>An episode not extracted before and the notes proposed from it.</summary>
/// <param name="Episode">The episode.</param>
/// <param name="Notes">The valid proposals, in the extractor's order.</param>
internal sealed record PlannedExtraction(Episode Episode, IReadOnlyList<PlannedNote> Notes);

/// <summary>A proposed note.</summary>
/// <param name="Write">The proposal.</param>
/// <param name="Provenance">Its provenance (source kind and trust from its source turns).</param>
/// <param name="IndexText">The text it is indexed with, as the turns stood when captured.</param>
/// <param name="Vector">Its dense vector, or <see langword="null"/> (deferred).</param>
internal sealed record PlannedNote(NoteWrite Write, NoteProvenance Provenance, string IndexText, float[]? Vector);

/// <summary>The active notes as the links stage found them, and those of them that name each entity (participants
/// and numbers left out).</summary>
/// <param name="Active">The active notes.</param>
/// <param name="ByEntity">Entity → the notes naming it.</param>
internal sealed record LinkIndex(List<Note> Active, Dictionary<string, List<Note>> ByEntity);
