namespace MemoryFabric.Notes;

/// <summary>
/// One version of a note: a self-contained statement distilled from the conversation, with provenance, validity
/// and strength. Versions are never overwritten: an update creates a new version and marks the old one superseded.
/// </summary>
public sealed record Note
{
    /// <summary>The id of this version. Every version has its own id.</summary>
    public required string Id { get; init; }

    /// <summary>The id shared by all versions of the same note (the first version's id).</summary>
    public required string LineageId { get; init; }

    /// <summary>The version number within the lineage, starting at 1.</summary>
    public int Version { get; init; } = 1;

    /// <summary>What the note states.</summary>
    public required NoteKind Kind { get; init; }

    /// <summary>The self-contained statement, speaker resolved and dates absolute.</summary>
    public required string Text { get; init; }

    /// <summary>Who or what the note is about (normalized), e.g. "Melanie".</summary>
    public required string Subject { get; init; }

    /// <summary>The attribute stated about the subject (e.g. "home city"), used to detect contradictions.</summary>
    public string? Attribute { get; init; }

    /// <summary>The value of <see cref="Attribute"/> (e.g. "Boston").</summary>
    public string? Value { get; init; }

    /// <summary>When the stated event happened (or is planned), if known.</summary>
    public DateTimeOffset? EventTime { get; init; }

    /// <summary>From when the statement holds.</summary>
    public DateTimeOffset? ValidFrom { get; init; }

    /// <summary>Until when the statement held; set when a contradicting note supersedes it.</summary>
    public DateTimeOffset? ValidTo { get; init; }

    /// <summary>Where the note came from.</summary>
    public required NoteProvenance Provenance { get; init; }

    /// <summary>Normalized entities mentioned by the note.</summary>
    public IReadOnlyList<string> Entities { get; init; } = [];

    /// <summary>How much the note matters, 0 to 1.</summary>
    public double Importance { get; init; } = 0.5;

    /// <summary>Memory strength at <see cref="LastRecalledAt"/>, 0 to 1; decays with time, reinforced by recall.</summary>
    public double Strength { get; init; } = 1.0;

    /// <summary>How many times the note was recalled.</summary>
    public int RecallCount { get; init; }

    /// <summary>When the note was last recalled (or created).</summary>
    public required DateTimeOffset LastRecalledAt { get; init; }

    /// <summary>When this version was written.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The life-cycle state of this version.</summary>
    public NoteStatus Status { get; init; } = NoteStatus.Active;

    /// <summary>The version this one replaced, if any.</summary>
    public string? SupersedesId { get; init; }

    /// <summary>The version that replaced this one, if any.</summary>
    public string? SupersededById { get; init; }

    /// <summary>Why this version was superseded ("update", "contradiction", "merge").</summary>
    public string? SupersedeReason { get; init; }

    /// <summary>Lineage ids of related notes (shared entities, similarity), refreshed on consolidation.</summary>
    public IReadOnlyList<string> Links { get; init; } = [];
}
