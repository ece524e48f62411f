namespace MemoryFabric.Mcp;

/// <summary>The bounds of the MemoryFabric MCP tools: every result has a default size, a hard cap on items and on
/// characters, and a cursor for more, so that no call can return an unbounded list or overflow a client's token
/// limit. Configured with <c>services.Configure&lt;MemoryFabricMcpOptions&gt;</c> (the server binds
/// <c>MemoryFabric:Mcp:Limits</c>).</summary>
public sealed class MemoryFabricMcpOptions
{
    /// <summary>Hits <c>search_memory</c> returns when <c>limit</c> is not given. Default: 10.</summary>
    public int DefaultSearchLimit { get; set; } = 10;

    /// <summary>The most hits <c>search_memory</c> returns (a larger <c>limit</c> is refused). Default: 50.</summary>
    public int MaxSearchLimit { get; set; } = 50;

    /// <summary>Items <c>list_notes</c> and <c>list_agents</c> return when <c>limit</c> is not given. Default: 20.</summary>
    public int DefaultListLimit { get; set; } = 20;

    /// <summary>The most items <c>list_notes</c> and <c>list_agents</c> return per page. Default: 100.</summary>
    public int MaxListLimit { get; set; } = 100;

    /// <summary>The token budget of <c>get_context</c> when <c>budget_tokens</c> is not given. Default: 500.</summary>
    public int DefaultContextBudgetTokens { get; set; } = 500;

    /// <summary>The largest <c>budget_tokens</c> <c>get_context</c> accepts. Default: 8,000.</summary>
    public int MaxContextBudgetTokens { get; set; } = 8_000;

    /// <summary>The most turns one <c>add_memory</c> call stores (the server's batch limit applies too). Default:
    /// 100.</summary>
    public int MaxTurnsPerCall { get; set; } = 100;

    /// <summary>The most characters of one item's text in a result (longer texts are cut and flagged
    /// <c>truncated</c>; <c>get_note</c> shows a note whole up to this size). Default: 2,000.</summary>
    public int MaxItemTextCharacters { get; set; } = 2_000;

    /// <summary>The most characters of item text in one result, all items together: a list stops early (with a
    /// cursor, or <c>truncated</c> for search) rather than exceed it. Default: 40,000.</summary>
    public int MaxResultCharacters { get; set; } = 40_000;

    /// <summary>The most source turn ids listed per item. Default: 20.</summary>
    public int MaxTurnIdsPerItem { get; set; } = 20;

    /// <summary>The most versions <c>get_note</c> lists in a note's history (the newest). Default: 20.</summary>
    public int MaxHistoryVersions { get; set; } = 20;

    /// <summary>The speaker of a turn stored without one. Default: <c>user</c>.</summary>
    public string DefaultSpeaker { get; set; } = "user";

    /// <summary>The session of a turn stored without one. Default: <c>mcp</c>.</summary>
    public string DefaultSession { get; set; } = "mcp";

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not positive, or a default exceeds its cap.</exception>
    /// <exception cref="ArgumentException">The default speaker or session is blank.</exception>
    public void Validate()
    {
        Positive(DefaultSearchLimit, nameof(DefaultSearchLimit));
        Positive(MaxSearchLimit, nameof(MaxSearchLimit));
        Positive(DefaultListLimit, nameof(DefaultListLimit));
        Positive(MaxListLimit, nameof(MaxListLimit));
        Positive(DefaultContextBudgetTokens, nameof(DefaultContextBudgetTokens));
        Positive(MaxContextBudgetTokens, nameof(MaxContextBudgetTokens));
        Positive(MaxTurnsPerCall, nameof(MaxTurnsPerCall));
        Positive(MaxItemTextCharacters, nameof(MaxItemTextCharacters));
        Positive(MaxResultCharacters, nameof(MaxResultCharacters));
        Positive(MaxTurnIdsPerItem, nameof(MaxTurnIdsPerItem));
        Positive(MaxHistoryVersions, nameof(MaxHistoryVersions));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DefaultSearchLimit, MaxSearchLimit, nameof(DefaultSearchLimit));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DefaultListLimit, MaxListLimit, nameof(DefaultListLimit));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DefaultContextBudgetTokens, MaxContextBudgetTokens, nameof(DefaultContextBudgetTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxResultCharacters, MaxItemTextCharacters, nameof(MaxResultCharacters));
        ArgumentException.ThrowIfNullOrWhiteSpace(DefaultSpeaker, nameof(DefaultSpeaker));
        ArgumentException.ThrowIfNullOrWhiteSpace(DefaultSession, nameof(DefaultSession));
    }

    private static void Positive(int value, string name) => ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, name);
}
