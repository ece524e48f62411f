namespace MemoryFabric.Conversation;

/// <summary>A stored turn of the verbatim conversation.</summary>
/// <param name="Id">The turn id (the caller's or a generated one).</param>
/// <param name="SessionId">The session the turn belongs to.</param>
/// <param name="Speaker">Who spoke.</param>
/// <param name="Role">The role of the speaker.</param>
/// <param name="Text">The verbatim text.</param>
/// <param name="Timestamp">When the turn was said.</param>
/// <param name="Sequence">The arrival order within the agent memory (a tie-breaker for equal timestamps).</param>
/// <param name="Metadata">Free-form metadata.</param>
public sealed record Turn(
    string Id,
    string SessionId,
    string Speaker,
    TurnRole Role,
    string Text,
    DateTimeOffset Timestamp,
    long Sequence,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The provenance kind of the turn, set at ingest.</summary>
    public SourceKind Source { get; init; } = SourceKind.UserStated;

    /// <summary>The trust level of the turn, 0 to 1, set at ingest.</summary>
    public double Trust { get; init; } = 0.9;
}
