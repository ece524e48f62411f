using System.ComponentModel;

namespace MemoryFabric.Mcp.Results;

/// <summary>One hit of <c>search_memory</c>.</summary>
public sealed record MemoryHit
{
    /// <summary>The id of the turn, episode or note version.</summary>
    [Description("The id of the turn, episode or note version (a note id works with get_note, update_note and forget).")]
    public required string Id { get; init; }

    /// <summary><c>turn</c>, <c>episode</c> or <c>note</c>.</summary>
    [Description("turn (verbatim), episode (a summary of a stretch of conversation) or note (a distilled fact).")]
    public required string Kind { get; init; }

    /// <summary>The item's text, cut at the result's per-item cap.</summary>
    [Description("The item's text (cut when text_truncated).")]
    public required string Text { get; init; }

    /// <summary>Whether <see cref="Text"/> was cut.</summary>
    [Description("Whether text was cut to the per-item cap.")]
    public bool TextTruncated { get; init; }

    /// <summary>The fused retrieval score, higher is more relevant.</summary>
    [Description("The fused retrieval score; higher is more relevant.")]
    public double Score { get; init; }

    /// <summary>When it was said or happened.</summary>
    [Description("When it was said or happened (ISO 8601).")]
    public DateTimeOffset Timestamp { get; init; }

    /// <summary><c>active</c>, <c>superseded</c> or <c>expired</c>, as the hit itself says (a turn whose notes are all
    /// superseded takes their state).</summary>
    [Description("active, superseded (a newer version or a contradicting fact replaced it; a turn whose notes all were takes their state) or expired (its validity ended).")]
    public required string Status { get; init; }

    /// <summary>Whether a newer note superseded this one.</summary>
    [Description("Whether a newer note superseded this one: prefer the superseding note.")]
    public bool Superseded { get; init; }

    /// <summary>The id of the version that superseded this note, if any.</summary>
    [Description("The id of the note version that superseded this one, if any.")]
    public string? SupersededBy { get; init; }

    /// <summary>From when a note holds, if known.</summary>
    [Description("From when a note holds, if known.")]
    public DateTimeOffset? ValidFrom { get; init; }

    /// <summary>Until when a note held, if it no longer does.</summary>
    [Description("Until when a note held, if it no longer does.")]
    public DateTimeOffset? ValidTo { get; init; }

    /// <summary>The turns the item comes from (for a turn, itself), capped.</summary>
    [Description("The ids of the turns the item comes from (for a turn, itself).")]
    public IReadOnlyList<string> TurnIds { get; init; } = [];
}
