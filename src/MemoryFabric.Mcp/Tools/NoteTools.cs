using System.ComponentModel;
using System.Text.Json;
using MemoryFabric.Api;
using MemoryFabric.Mcp.Access;
using MemoryFabric.Mcp.Errors;
using MemoryFabric.Mcp.Paging;
using MemoryFabric.Mcp.Results;
using MemoryFabric.Notes;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace MemoryFabric.Mcp.Tools;

/// <summary>The note tools: <c>list_notes</c>, <c>get_note</c>, <c>update_note</c>, <c>forget</c>.</summary>
/// <param name="access">Gives the caller of the call.</param>
/// <param name="options">The bounds.</param>
/// <param name="time">The clock.</param>
[McpServerToolType]
internal sealed class NoteTools(IMemoryFabricMcpAccess access, IOptions<MemoryFabricMcpOptions> options, TimeProvider time)
    : FabricTools(access, options, time)
{
    [McpServerTool(Name = ToolNames.ListNotes, Title = "List notes", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Lists the agent's active notes (facts, preferences, events, plans, relationships, profile attributes distilled from the conversation), "
        + "oldest first, one page at a time: pass next_cursor back as cursor for the next page. Needs the 'read' scope.")]
    [ToolScope(ApiScopes.Read)]
    public async Task<NoteListResult> ListNotesAsync(
        [Description("The agent (or user) whose notes to list; default: the configured agent.")] string? agent = null,
        [Description("next_cursor of the previous page; leave out for the first page.")] string? cursor = null,
        [Description("The most notes on this page (default 20, at most 100).")] int? limit = null,
        CancellationToken cancellationToken = default)
    {
        var size = Count(limit, "limit", Limits.DefaultListLimit, Limits.MaxListLimit);
        (long Ticks, string Id)? position = string.IsNullOrEmpty(cursor) ? null : NoteCursor.Parse(cursor);
        var (caller, name) = await ResolveAsync(agent, cancellationToken).ConfigureAwait(false);
        var notes = await caller.Client.ListNotesAsync(name, includeInactive: false, cancellationToken).ConfigureAwait(false);
        var bounds = NewBounds();
        var page = new List<NoteView>(Math.Min(size, notes.Count));
        Note? last = null;
        var more = false;
        foreach (var note in NoteCursor.Order(notes))
        {
            if (position is { } after && !NoteCursor.IsAfter(note, after))
            {
                continue;
            }

            var view = NoteViews.View(note, bounds, Limits.MaxTurnIdsPerItem);
            if (page.Count == size || !bounds.TryTake(view.Text.Length))
            {
                more = true;
                break;
            }

            page.Add(view);
            last = note;
        }

        return new NoteListResult(name, page, more && last is not null ? NoteCursor.After(last) : null);
    }

    [McpServerTool(Name = ToolNames.GetNote, Title = "Get a note", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Gets one note with its history: every version, oldest first, each with its status and the turns it came from. "
        + "The id may be any version's id or the lineage id. Needs the 'read' scope.")]
    [ToolScope(ApiScopes.Read)]
    public async Task<GetNoteResult> GetNoteAsync(
        [Description("The note's id (a version id or the lineage id), as search_memory and list_notes show it.")] string id,
        [Description("The agent (or user) the note belongs to; default: the configured agent.")] string? agent = null,
        CancellationToken cancellationToken = default)
    {
        var noteId = Required(id, "id").Trim();
        var (caller, name) = await ResolveAsync(agent, cancellationToken).ConfigureAwait(false);
        var history = await caller.Client.GetNoteHistoryAsync(name, noteId, cancellationToken).ConfigureAwait(false);
        if (history.Count == 0)
        {
            throw MemoryFabricToolException.NotFound($"No note with id '{noteId}'. Check the id: search_memory and list_notes show the ids that exist.");
        }

        // The lineage id is also the first version's id: it names the note, so it answers with the current version.
        var asked = (noteId == history[0].LineageId ? null : history.FirstOrDefault(v => v.Id == noteId)) ?? Current(history) ?? history[^1];
        var bounds = NewBounds();
        var shown = history.Count <= Limits.MaxHistoryVersions ? history : history.Skip(history.Count - Limits.MaxHistoryVersions).ToList();
        return new GetNoteResult(
            name,
            NoteViews.View(asked, bounds, Limits.MaxTurnIdsPerItem),
            [.. shown.Select(v => NoteViews.View(v, bounds, Limits.MaxTurnIdsPerItem))],
            HistoryTruncated: shown.Count < history.Count);
    }

    [McpServerTool(Name = ToolNames.UpdateNote, Title = "Update a note", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Writes a new version of a note with new text; the old version is kept as superseded. expected_version must be the note's current version "
        + "(get_note shows it): if the note changed since, even a moment before this write, the call is refused and nothing is written. Needs the 'write' scope.")]
    [ToolScope(ApiScopes.Write)]
    public async Task<UpdateNoteResult> UpdateNoteAsync(
        [Description("The note's id (a version id or the lineage id).")] string id,
        [Description("The new text: a self-contained statement.")] string text,
        [Description("The version you read and are changing (the note's current version number).")] int expected_version,
        [Description("The agent (or user) the note belongs to; default: the configured agent.")] string? agent = null,
        CancellationToken cancellationToken = default)
    {
        var noteId = Required(id, "id").Trim();
        var newText = Required(text, "text");
        if (expected_version < 1)
        {
            throw MemoryFabricToolException.Invalid($"'expected_version' is a note version, 1 or more (got {expected_version}); get_note shows the current one.");
        }

        var (caller, name) = await ResolveAsync(agent, cancellationToken).ConfigureAwait(false);
        var history = await caller.Client.GetNoteHistoryAsync(name, noteId, cancellationToken).ConfigureAwait(false);
        var current = Current(history) ?? throw MemoryFabricToolException.Conflict(
            $"Note '{noteId}' has no current version (it was deleted); nothing was written. Store the fact again with add_memory.");
        if (current.Version != expected_version)
        {
            throw MemoryFabricToolException.Conflict(
                $"Note '{noteId}' is at version {current.Version} (id {current.Id}), not {expected_version}: it changed since you read it, and nothing was written. "
                + $"Read it again with get_note and, if your change still applies, retry with expected_version {current.Version}.");
        }

        NoteWriteResult result;
        try
        {
            // The fabric checks the version again in the same step as the write: a writer that got in since the read
            // above makes this call fail rather than both pass.
            result = await caller.Client.UpdateNoteAsync(name, current.Id, Rewrite(current, newText, caller.TrustCap), expected_version, cancellationToken).ConfigureAwait(false);
        }
        catch (Client.MemoryFabricConflictException e)
        {
            throw MemoryFabricToolException.Conflict(e.CurrentId is { } currentId && e.CurrentVersion is { } version && e.CurrentStatus is null or NoteStatus.Active
                ? $"Note '{noteId}' is at version {version} (id {currentId}), not {expected_version}: it changed since you read it, and nothing was written. "
                    + $"Read it again with get_note and, if your change still applies, retry with expected_version {version}."
                : $"Note '{noteId}' has no current version any more (it was deleted); nothing was written. Store the fact again with add_memory.");
        }

        return new UpdateNoteResult(
            name,
            JsonNamingPolicy.SnakeCaseLower.ConvertName(result.Operation.ToString()),
            NoteViews.View(result.Note, NewBounds(), Limits.MaxTurnIdsPerItem),
            current.Version);
    }

    [McpServerTool(Name = ToolNames.Forget, Title = "Forget", ReadOnly = false, Destructive = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Forgets a note or a turn for good. A note: every version is removed (with forget_sources, the turns it was drawn from are forgotten too). "
        + "A turn: it is removed, redacted from its episode, the notes drawn only from it are removed, and its text is purged from storage. "
        + "No search or context shows it again. Cannot be undone. Needs the 'forget' scope.")]
    [ToolScope(ApiScopes.Forget)]
    public async Task<ForgetResult> ForgetAsync(
        [Description("The id of the note (a version id or the lineage id) or of the turn to forget, as search_memory and list_notes show them.")] string id,
        [Description("The agent (or user) the item belongs to; default: the configured agent.")] string? agent = null,
        [Description("For a note: also forget the turns it was drawn from (and the other notes drawn only from them). Default false.")] bool forget_sources = false,
        CancellationToken cancellationToken = default)
    {
        var itemId = Required(id, "id").Trim();
        var (caller, name) = await ResolveAsync(agent, cancellationToken).ConfigureAwait(false);
        try
        {
            var removed = await caller.Client.PurgeNoteAsync(name, itemId, forget_sources, expectedVersion: null, cancellationToken).ConfigureAwait(false);
            return new ForgetResult(name, itemId, "note", removed.Purged) { ForgottenTurnIds = removed.Sources?.ForgottenTurnIds ?? [] };
        }
        catch (Client.MemoryFabricApiException e) when (IsItemNotFound(e))
        {
            // Not a note: a turn, perhaps.
        }

        var forgotten = await caller.Client.ForgetTurnsAsync(name, [itemId], cancellationToken).ConfigureAwait(false);
        if (forgotten.ForgottenTurnIds.Count == 0)
        {
            throw MemoryFabricToolException.NotFound(
                $"No note or turn with id '{itemId}' in {name}'s memory; nothing was removed. forget takes a note's or a turn's id, as search_memory and list_notes show them.");
        }

        return new ForgetResult(name, itemId, "turn", forgotten.PurgedNoteIds.Count);
    }

    private static bool IsItemNotFound(Client.MemoryFabricApiException e) =>
        e.StatusCode == System.Net.HttpStatusCode.NotFound && !(e.Problem.Detail?.StartsWith("No agent", StringComparison.Ordinal) ?? false);

    // The version that is current: the newest active one.
    private static Note? Current(IReadOnlyList<Note> history) => history.LastOrDefault(v => v.Status == NoteStatus.Active);

    // The current version's content with the new text. Its attribute and value stay only while the text still states
    // the value, so an edit that changes the fact does not keep a stale value for contradiction checks.
    private static NoteWrite Rewrite(Note current, string text, double? trustCap)
    {
        var keepsValue = current.Value is { Length: > 0 } value && text.Contains(value, StringComparison.OrdinalIgnoreCase);
        var trust = current.Provenance?.Trust ?? 0.9;
        return new NoteWrite
        {
            Kind = current.Kind,
            Text = text,
            Subject = current.Subject,
            Attribute = keepsValue ? current.Attribute : null,
            Value = keepsValue ? current.Value : null,
            EventTime = current.EventTime,
            ValidFrom = current.ValidFrom,
            SourceTurnIds = current.Provenance?.TurnIds ?? [],
            Entities = current.Entities,
            Importance = current.Importance,
            Source = current.Provenance?.Source ?? Conversation.SourceKind.UserStated,
            Trust = trustCap is { } cap ? Math.Min(trust, cap) : trust,
        };
    }
}
