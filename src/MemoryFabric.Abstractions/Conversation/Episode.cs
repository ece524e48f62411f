namespace MemoryFabric.Conversation;

/// <summary>A contiguous run of turns of one session about one topic, cut by topic shift, surprise and time gaps.</summary>
public sealed record Episode
{
    /// <summary>The episode id.</summary>
    public required string Id { get; init; }

    /// <summary>The session the episode was cut from.</summary>
    public required string SessionId { get; init; }

    /// <summary>The ids of the episode's turns, in conversation order.</summary>
    public required IReadOnlyList<string> TurnIds { get; init; }

    /// <summary>The first turn's timestamp.</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>The last turn's timestamp.</summary>
    public required DateTimeOffset End { get; init; }

    /// <summary>The speakers who took part.</summary>
    public required IReadOnlyList<string> Participants { get; init; }

    /// <summary>The most characteristic terms of the episode.</summary>
    public required IReadOnlyList<string> Keywords { get; init; }

    /// <summary>The named entities mentioned (normalized).</summary>
    public required IReadOnlyList<string> Entities { get; init; }

    /// <summary>A short extractive summary: the episode's most central sentences, speaker attributed.</summary>
    public required string Summary { get; init; }

    /// <summary>The turns the summary quotes: an episode item in a context covers these turns, and only these.</summary>
    public IReadOnlyList<string> SummaryTurnIds { get; init; } = [];

    /// <summary>Why the episode started: "session-start", "time-gap", "topic-shift" or "surprise".</summary>
    public string BoundaryReason { get; init; } = "session-start";
}
