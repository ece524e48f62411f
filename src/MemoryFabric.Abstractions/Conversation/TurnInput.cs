namespace MemoryFabric.Conversation;

/// <summary>A turn as a caller submits it for ingestion.</summary>
/// <remarks>
/// <see cref="Id"/> is optional: when absent the memory generates one. Re-sending a turn with an id that is already
/// stored changes nothing (ingestion is idempotent).
/// </remarks>
public sealed record TurnInput
{
    /// <summary>The caller's id for the turn, or <see langword="null"/> to have one generated.</summary>
    public string? Id { get; init; }

    /// <summary>The session (conversation sitting) the turn belongs to. Required.</summary>
    public required string SessionId { get; init; }

    /// <summary>Who spoke, e.g. "Melanie". Required.</summary>
    public required string Speaker { get; init; }

    /// <summary>The role of the speaker.</summary>
    public TurnRole Role { get; init; } = TurnRole.User;

    /// <summary>The verbatim text. Required, not blank.</summary>
    public required string Text { get; init; }

    /// <summary>When the turn was said. Out-of-order timestamps are accepted; turns are kept in timestamp order.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Free-form metadata kept verbatim with the turn.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The provenance kind of the turn, or <see langword="null"/> to derive it from <see cref="Role"/>
    /// (user → user-stated, assistant → assistant-stated, tool → tool, system → document).</summary>
    public SourceKind? Source { get; init; }

    /// <summary>The trust level, 0 to 1, or <see langword="null"/> for the default of the source kind
    /// (<see cref="SourceTrust.DefaultTrust"/>). Out of range values are rejected at ingest.</summary>
    public double? Trust { get; init; }
}
