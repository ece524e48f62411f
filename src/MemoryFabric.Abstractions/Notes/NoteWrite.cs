using MemoryFabric.Conversation;

namespace MemoryFabric.Notes;

/// <summary>A note as a caller or an extractor proposes it: the content, without identity or life-cycle state.</summary>
public sealed record NoteWrite
{
    /// <summary>What the note states.</summary>
    public NoteKind Kind { get; init; } = NoteKind.Fact;

    /// <summary>The self-contained statement. Required, not blank.</summary>
    public required string Text { get; init; }

    /// <summary>Who or what the note is about. Required.</summary>
    public required string Subject { get; init; }

    /// <summary>The attribute stated about the subject, if the statement sets one (enables contradiction detection).</summary>
    public string? Attribute { get; init; }

    /// <summary>The value of <see cref="Attribute"/>.</summary>
    public string? Value { get; init; }

    /// <summary>When the stated event happened, if known.</summary>
    public DateTimeOffset? EventTime { get; init; }

    /// <summary>From when the statement holds (defaults to the source turn time).</summary>
    public DateTimeOffset? ValidFrom { get; init; }

    /// <summary>The turns the note rests on. May be empty for notes written directly through the API.</summary>
    public IReadOnlyList<string> SourceTurnIds { get; init; } = [];

    /// <summary>Normalized entities mentioned.</summary>
    public IReadOnlyList<string> Entities { get; init; } = [];

    /// <summary>How much the note matters, 0 to 1.</summary>
    public double Importance { get; init; } = 0.5;

    /// <summary>The provenance kind of a note written through the API (default user-stated). Notes extracted by
    /// consolidation take theirs from their source turns.</summary>
    public SourceKind Source { get; init; } = SourceKind.UserStated;

    /// <summary>The trust level of a note written through the API, 0 to 1 (default 0.9).</summary>
    public double Trust { get; init; } = 0.9;
}
