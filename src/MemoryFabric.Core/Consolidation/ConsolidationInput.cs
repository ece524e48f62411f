using MemoryFabric.Conversation;

namespace MemoryFabric.Consolidation;

/// <summary>
/// What one consolidation works on, captured from an <see cref="AgentMemory"/> by
/// <see cref="AgentMemory.CaptureConsolidation"/> in one short step: copies of the sessions that have turns not
/// consolidated yet, the participants and the keys of the episodes already extracted. It shares nothing mutable with
/// the memory, so <see cref="AgentMemory.PlanConsolidationAsync"/> can plan on another thread while the memory goes on
/// serving calls.
/// </summary>
public sealed class ConsolidationInput
{
    internal ConsolidationInput(object owner, IReadOnlyList<SessionInput> sessions, IReadOnlyList<string> participants, IReadOnlySet<string> extractedEpisodes)
    {
        Owner = owner;
        Sessions = sessions;
        Participants = participants;
        ExtractedEpisodes = extractedEpisodes;
        TurnCount = sessions.Sum(s => s.Turns.Count);
    }

    /// <summary>The number of sessions to consolidate.</summary>
    public int SessionCount => Sessions.Count;

    /// <summary>The number of turns those sessions held when captured.</summary>
    public int TurnCount { get; }

    /// <summary>The memory it was captured from (a plan is applied to that memory only).</summary>
    internal object Owner { get; }

    /// <summary>The sessions, in the order they are consolidated (by their first turn).</summary>
    internal IReadOnlyList<SessionInput> Sessions { get; }

    /// <summary>Everyone known to take part (to resolve "you" in extraction).</summary>
    internal IReadOnlyList<string> Participants { get; }

    /// <summary>The extraction keys (<see cref="ConsolidationPlanner.ExtractionKey"/>) of the episodes extracted before.</summary>
    internal IReadOnlySet<string> ExtractedEpisodes { get; }
}

/// <summary>One session as captured: every turn in session order, and those of them quarantined (kept out of
/// segmentation and extraction).</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Turns">Its turns, in session order (a copy).</param>
/// <param name="Excluded">The ids of the quarantined ones among them.</param>
internal sealed record SessionInput(string SessionId, IReadOnlyList<Turn> Turns, IReadOnlySet<string> Excluded);
