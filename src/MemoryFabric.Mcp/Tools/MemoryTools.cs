using System.ComponentModel;
using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Mcp.Access;
using MemoryFabric.Mcp.Errors;
using MemoryFabric.Mcp.Results;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace MemoryFabric.Mcp.Tools;

/// <summary>The conversation tools: <c>add_memory</c>, <c>search_memory</c>, <c>get_context</c>.</summary>
/// <param name="access">Gives the caller of the call.</param>
/// <param name="options">The bounds.</param>
/// <param name="time">The clock.</param>
[McpServerToolType]
internal sealed class MemoryTools(IMemoryFabricMcpAccess access, IOptions<MemoryFabricMcpOptions> options, TimeProvider time)
    : FabricTools(access, options, time)
{
    [McpServerTool(Name = ToolNames.AddMemory, Title = "Add to memory", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Stores what was said in the agent's long-term memory: one turn (text) or a batch (turns), verbatim. "
        + "Returns the stored turn ids; the turns are searchable the moment it returns. A batch is stored whole or not at all. Needs the 'write' scope.")]
    [ToolScope(ApiScopes.Write)]
    public async Task<AddMemoryResult> AddMemoryAsync(
        [Description("The agent (or user) whose memory this is; default: the configured agent.")] string? agent = null,
        [Description("What was said, for a single turn. Give text or turns, not both.")] string? text = null,
        [Description("Who said it, e.g. \"Alice\" or \"assistant\" (default \"user\"); also the default of each batch turn.")] string? speaker = null,
        [Description("The conversation it belongs to (default \"mcp\"); also the default of each batch turn.")] string? session = null,
        [Description("When it was said, ISO 8601 (default: now); also the default of each batch turn.")] string? timestamp = null,
        [Description("The batch form: turns to store in one call, each {text, speaker?, session?, timestamp?}.")] IReadOnlyList<TurnArgument>? turns = null,
        CancellationToken cancellationToken = default)
    {
        var inputs = Turns(text, speaker, session, timestamp, turns);
        var (caller, name) = await ResolveAsync(agent, cancellationToken).ConfigureAwait(false);
        var capped = caller.TrustCap is { } cap
            ? inputs.Select(t => t with { Trust = Math.Min(SourceTrust.DefaultTrust(SourceTrust.FromRole(t.Role)), cap) }).ToList()
            : inputs;
        var result = await caller.Client.IngestAsync(name, capped, cancellationToken).ConfigureAwait(false);
        return new AddMemoryResult(name, result.StoredTurnIds, result.StoredTurnIds.Count);
    }

    [McpServerTool(Name = ToolNames.SearchMemory, Title = "Search memory", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Searches the agent's memory (verbatim turns, episodes and distilled notes) for a query. "
        + "Each hit has its id, kind, text, score, time, status (superseded and expired facts are flagged: prefer active ones) and the turn ids it came from. Needs the 'read' scope.")]
    [ToolScope(ApiScopes.Read)]
    public async Task<SearchMemoryResult> SearchMemoryAsync(
        [Description("What to look for, in natural language.")] string query,
        [Description("The agent (or user) whose memory to search; default: the configured agent.")] string? agent = null,
        [Description("The most hits (default 10, at most 50).")] int? limit = null,
        [Description("Answer as of this time, ISO 8601: relative dates in the query resolve against it, and facts whose validity ended by then are flagged expired (default: now).")] string? as_of = null,
        CancellationToken cancellationToken = default)
    {
        var request = new SearchRequest
        {
            Query = Required(query, "query"),
            Limit = Count(limit, "limit", Limits.DefaultSearchLimit, Limits.MaxSearchLimit),
            QueryTime = ParseTime(as_of, "as_of"),
        };
        var (caller, name) = await ResolveAsync(agent, cancellationToken).ConfigureAwait(false);
        var hits = await caller.Client.SearchAsync(name, request, cancellationToken).ConfigureAwait(false);
        var bounds = NewBounds();
        var views = new List<MemoryHit>(hits.Count);
        foreach (var hit in hits)
        {
            var view = View(hit.Item, bounds);
            if (!bounds.TryTake(view.Text.Length))
            {
                return new SearchMemoryResult(name, views, Truncated: true);
            }

            views.Add(view);
        }

        return new SearchMemoryResult(name, views, Truncated: false);
    }

    [McpServerTool(Name = ToolNames.GetContext, Title = "Get context", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Packs what the agent remembers about a query into a context within a token budget (tokens = characters / 4): "
        + "paste 'text' into the prompt before answering. The verbatim history when it fits, else the most relevant notes, episodes and turns. Needs the 'read' scope.")]
    [ToolScope(ApiScopes.Read)]
    public async Task<ContextResult> GetContextAsync(
        [Description("The question or message the context is for, usually the user's latest message.")] string query,
        [Description("The agent (or user) whose memory to use; default: the configured agent.")] string? agent = null,
        [Description("The token budget of the context (default 500, at most 8000).")] int? budget_tokens = null,
        CancellationToken cancellationToken = default)
    {
        var budget = Count(budget_tokens, "budget_tokens", Limits.DefaultContextBudgetTokens, Limits.MaxContextBudgetTokens);
        var request = new ContextRequest { Query = Required(query, "query"), TokenBudget = budget };
        var (caller, name) = await ResolveAsync(agent, cancellationToken).ConfigureAwait(false);
        var context = await caller.Client.GetContextAsync(name, request, cancellationToken).ConfigureAwait(false);
        var text = context.Text.Length <= ContextTokens.Characters(budget) ? context.Text : context.Text[..ContextTokens.Characters(budget)];
        var bounds = NewBounds();
        var items = new List<ContextItemView>(context.Items.Count);
        foreach (var item in context.Items)
        {
            var (itemText, cut) = bounds.Cut(item.Text);
            if (!bounds.TryTake(itemText.Length))
            {
                break;
            }

            items.Add(new ContextItemView
            {
                Kind = Kind(item.Kind),
                Id = item.Id,
                Text = itemText,
                TextTruncated = cut,
                Timestamp = item.Timestamp,
                TurnIds = TextBounds.Ids(item.TurnIds, Limits.MaxTurnIdsPerItem),
                Score = item.Score,
            });
        }

        return new ContextResult(name, text, ContextTokens.Count(text), budget, context.Mode, items, context.Degraded, context.DegradedReason);
    }

    /// <summary>The kind of an item as the tools name it.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns><c>turn</c>, <c>episode</c> or <c>note</c>.</returns>
    internal static string Kind(MemoryItemKind kind) => kind switch
    {
        MemoryItemKind.Note => "note",
        MemoryItemKind.Episode => "episode",
        _ => "turn",
    };

    private List<TurnInput> Turns(string? text, string? speaker, string? session, string? timestamp, IReadOnlyList<TurnArgument>? turns)
    {
        var when = ParseTime(timestamp, "timestamp");
        if (turns is null)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                throw MemoryFabricToolException.Invalid("Give 'text' (one turn) or 'turns' (a batch of {text, speaker?, session?, timestamp?}); neither was given or the text is blank.");
            }

            return [Turn(text, speaker, session, when)];
        }

        if (text is not null)
        {
            throw MemoryFabricToolException.Invalid("Give 'text' or 'turns', not both: put the single turn into 'turns', or drop 'turns'.");
        }

        if (turns.Count == 0 || turns.Count > Limits.MaxTurnsPerCall)
        {
            throw MemoryFabricToolException.Invalid($"'turns' holds 1 to {Limits.MaxTurnsPerCall} turns (got {turns.Count}); split a larger batch over several calls.");
        }

        var inputs = new List<TurnInput>(turns.Count);
        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i] ?? throw MemoryFabricToolException.Invalid($"turns[{i}] is null; each turn is {{text, speaker?, session?, timestamp?}}.");
            if (string.IsNullOrWhiteSpace(turn.Text))
            {
                throw MemoryFabricToolException.Invalid($"turns[{i}].text is missing or blank; nothing was stored.");
            }

            inputs.Add(Turn(turn.Text, turn.Speaker ?? speaker, turn.Session ?? session, ParseTime(turn.Timestamp, $"turns[{i}].timestamp") ?? when));
        }

        return inputs;
    }

    private TurnInput Turn(string text, string? speaker, string? session, DateTimeOffset? when)
    {
        var who = string.IsNullOrWhiteSpace(speaker) ? Limits.DefaultSpeaker : speaker.Trim();
        return new TurnInput
        {
            SessionId = string.IsNullOrWhiteSpace(session) ? Limits.DefaultSession : session.Trim(),
            Speaker = who,
            Role = string.Equals(who, "assistant", StringComparison.OrdinalIgnoreCase) ? TurnRole.Assistant : TurnRole.User,
            Text = text,
            Timestamp = when ?? Time.GetUtcNow(),
        };
    }

    // A hit says whether it still holds (its status at the query time, what replaced it, its validity).
    private MemoryHit View(ContextItem item, TextBounds bounds)
    {
        var (text, cut) = bounds.Cut(item.Text);
        return new MemoryHit
        {
            Id = item.Id,
            Kind = Kind(item.Kind),
            Text = text,
            TextTruncated = cut,
            Score = item.Score,
            Timestamp = item.Timestamp,
            Status = item.Status switch
            {
                MemoryItemStatus.Superseded => "superseded",
                MemoryItemStatus.Expired => "expired",
                _ => NoteViews.Active,
            },
            Superseded = item.Status == MemoryItemStatus.Superseded,
            SupersededBy = item.SupersededBy,
            ValidFrom = item.ValidFrom,
            ValidTo = item.ValidTo,
            TurnIds = TextBounds.Ids(item.TurnIds, Limits.MaxTurnIdsPerItem),
        };
    }
}
