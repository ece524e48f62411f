using System.ComponentModel;

namespace MemoryFabric.Mcp.Results;

/// <summary>One page of <c>list_notes</c>.</summary>
/// <param name="Agent">The agent.</param>
/// <param name="Notes">The active notes of this page, oldest first.</param>
/// <param name="NextCursor">The cursor of the next page, or <see langword="null"/> on the last.</param>
public sealed record NoteListResult(
    [property: Description("The agent.")] string Agent,
    [property: Description("The agent's active notes on this page, oldest first.")] IReadOnlyList<NoteView> Notes,
    [property: Description("Pass as cursor for the next page; null on the last page.")] string? NextCursor);

/// <summary>What <c>get_note</c> answers.</summary>
/// <param name="Agent">The agent.</param>
/// <param name="Note">The version asked for (the current one when a lineage id was given).</param>
/// <param name="History">The note's versions, oldest first (the newest when capped).</param>
/// <param name="HistoryTruncated">Whether older versions were left out.</param>
public sealed record GetNoteResult(
    [property: Description("The agent.")] string Agent,
    [property: Description("The version asked for; the current one when a lineage id was given.")] NoteView Note,
    [property: Description("The note's versions, oldest first.")] IReadOnlyList<NoteView> History,
    [property: Description("Whether older versions were left out of history.")] bool HistoryTruncated);

/// <summary>What <c>update_note</c> wrote.</summary>
/// <param name="Agent">The agent.</param>
/// <param name="Operation"><c>updated</c>, or <c>no_op</c> when the text was unchanged.</param>
/// <param name="Note">The version that is now current.</param>
/// <param name="PreviousVersion">The version it replaced.</param>
public sealed record UpdateNoteResult(
    [property: Description("The agent.")] string Agent,
    [property: Description("updated (a new version was written; the old one is kept as superseded) or no_op.")] string Operation,
    [property: Description("The version that is now current.")] NoteView Note,
    [property: Description("The version number it replaced.")] int PreviousVersion);

/// <summary>What <c>forget</c> removed.</summary>
/// <param name="Agent">The agent.</param>
/// <param name="Id">The id forgotten.</param>
/// <param name="Kind">What it was: <c>note</c> or <c>turn</c>.</param>
/// <param name="RemovedVersions">How many note versions were removed for good (for a turn: those drawn only from it).</param>
public sealed record ForgetResult(
    [property: Description("The agent.")] string Agent,
    [property: Description("The id that was forgotten.")] string Id,
    [property: Description("What it was: note or turn.")] string Kind,
    [property: Description("How many stored note versions were removed for good (for a turn: the notes drawn only from it).")] int RemovedVersions)
{
    /// <summary>For a note forgotten with <c>forget_sources</c>: the turns forgotten with it.</summary>
    [Description("For a note forgotten with forget_sources: the ids of the turns forgotten with it.")]
    public IReadOnlyList<string> ForgottenTurnIds { get; init; } = [];
}
