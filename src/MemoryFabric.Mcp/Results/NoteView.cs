using System.ComponentModel;

namespace MemoryFabric.Mcp.Results;

/// <summary>One version of a note, as the note tools show it.</summary>
public sealed record NoteView
{
    /// <summary>The id of this version.</summary>
    [Description("The id of this version.")]
    public required string Id { get; init; }

    /// <summary>The id shared by all versions of the note.</summary>
    [Description("The id shared by all versions of the note (also accepted by get_note, update_note and forget).")]
    public required string LineageId { get; init; }

    /// <summary>The version number, from 1.</summary>
    [Description("The version number, from 1; update_note's expected_version.")]
    public int Version { get; init; }

    /// <summary>What the note states: fact, preference, event, plan, relationship or profile.</summary>
    [Description("What the note states: fact, preference, event, plan, relationship or profile.")]
    public required string Kind { get; init; }

    /// <summary>Who or what the note is about.</summary>
    [Description("Who or what the note is about.")]
    public required string Subject { get; init; }

    /// <summary>The statement, cut at the per-item cap.</summary>
    [Description("The statement (cut when text_truncated).")]
    public required string Text { get; init; }

    /// <summary>Whether <see cref="Text"/> was cut.</summary>
    [Description("Whether text was cut to the per-item cap.")]
    public bool TextTruncated { get; init; }

    /// <summary><c>active</c>, <c>superseded</c>, <c>archived</c> or <c>deleted</c>.</summary>
    [Description("active, superseded, archived or deleted.")]
    public required string Status { get; init; }

    /// <summary>The version that replaced this one, if any.</summary>
    [Description("The id of the version that replaced this one, if any.")]
    public string? SupersededBy { get; init; }

    /// <summary>From when the statement holds.</summary>
    [Description("From when the statement holds, if known.")]
    public DateTimeOffset? ValidFrom { get; init; }

    /// <summary>Until when it held, if it no longer does.</summary>
    [Description("Until when the statement held, if it no longer does.")]
    public DateTimeOffset? ValidTo { get; init; }

    /// <summary>When this version was written.</summary>
    [Description("When this version was written.")]
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The turns the note rests on, capped.</summary>
    [Description("The ids of the turns the note came from.")]
    public IReadOnlyList<string> TurnIds { get; init; } = [];
}
