using System.ComponentModel;

namespace MemoryFabric.Mcp.Results;

/// <summary>What <c>get_context</c> built.</summary>
/// <param name="Agent">The agent.</param>
/// <param name="Text">The packed context: what an agent pastes into its prompt.</param>
/// <param name="Tokens">Its size, ceil(characters / 4), never above <paramref name="BudgetTokens"/>.</param>
/// <param name="BudgetTokens">The budget it was packed to.</param>
/// <param name="Mode"><c>verbatim</c> (the whole history fit) or <c>retrieved</c>.</param>
/// <param name="Items">The items the text is made of, in rendering order.</param>
/// <param name="Degraded">Whether the items were ranked on lexical signals alone because the server's encoder was busy.</param>
/// <param name="DegradedReason">Why (<c>embedding-deadline</c> or <c>embedder-overloaded</c>), or none.</param>
public sealed record ContextResult(
    [property: Description("The agent.")] string Agent,
    [property: Description("The packed context, dates and speakers included: paste it into the prompt.")] string Text,
    [property: Description("The size of text in tokens, ceil(characters / 4); never above budget_tokens.")] int Tokens,
    [property: Description("The token budget the context was packed to.")] int BudgetTokens,
    [property: Description("verbatim (the whole history fit the budget) or retrieved.")] string Mode,
    [property: Description("The items text is made of, in rendering order.")] IReadOnlyList<ContextItemView> Items,
    [property: Description("True when the server was busy and ranked the items on word matches alone (no semantic search); asking again later may find more.")] bool Degraded = false,
    [property: Description("Why the context is degraded (embedding-deadline or embedder-overloaded); absent when it is not.")] string? DegradedReason = null);

/// <summary>One item of a packed context.</summary>
public sealed record ContextItemView
{
    /// <summary><c>turn</c>, <c>episode</c> or <c>note</c>.</summary>
    [Description("turn, episode or note.")]
    public required string Kind { get; init; }

    /// <summary>The id of the turn, episode or note version.</summary>
    [Description("The id of the turn, episode or note version.")]
    public required string Id { get; init; }

    /// <summary>The item's text as rendered, cut at the per-item cap.</summary>
    [Description("The item's text as rendered (cut when text_truncated).")]
    public required string Text { get; init; }

    /// <summary>Whether <see cref="Text"/> was cut.</summary>
    [Description("Whether text was cut to the per-item cap.")]
    public bool TextTruncated { get; init; }

    /// <summary>When it was said or happened.</summary>
    [Description("When it was said or happened (ISO 8601).")]
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>The turns it derives from, capped.</summary>
    [Description("The ids of the turns the item derives from.")]
    public IReadOnlyList<string> TurnIds { get; init; } = [];

    /// <summary>The fused retrieval score.</summary>
    [Description("The fused retrieval score.")]
    public double Score { get; init; }
}
