using MemoryFabric.Retrieval;

namespace MemoryFabric.Api;

/// <summary>The body of <c>POST /v1/search</c>: a dense search over every agent of the caller's tenant (its sharded
/// vector index), optionally narrowed to some agents, a relation group, kinds and a time range.</summary>
public sealed record TenantSearchRequest
{
    /// <summary>The most hits a request may ask for.</summary>
    public const int MaxLimit = 100;

    /// <summary>The most agents a request may name.</summary>
    public const int MaxAgents = 1000;

    /// <summary>The query text. Required, not blank.</summary>
    public required string Query { get; init; }

    /// <summary>Only these agents (names, not keys); with <see cref="Group"/>, these agents and the group's members.
    /// All the tenant's agents when neither is given.</summary>
    public IReadOnlyList<string>? Agents { get; init; }

    /// <summary>Only the members of this relation group (the guard's groups); see <see cref="Agents"/>.</summary>
    public string? Group { get; init; }

    /// <summary>Which levels to search; all by default.</summary>
    public IReadOnlyList<MemoryItemKind>? Kinds { get; init; }

    /// <summary>Only items at or after this time (a turn's time, an episode's start, a note's valid-from).</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only items before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>How many hits to return (1 to <see cref="MaxLimit"/>, default 10).</summary>
    public int Limit { get; init; } = 10;
}

/// <summary>One hit of a tenant-wide search: the agent that holds it and the item as that agent's search shows it.</summary>
/// <param name="Agent">The agent's name.</param>
/// <param name="Item">The item (its text unrendered; <see cref="ContextItem.Score"/> is the dense similarity).</param>
/// <param name="LexicalRank">Always <see langword="null"/>: a tenant-wide search is dense only.</param>
/// <param name="DenseRank">Its rank among the merged dense hits (1-based).</param>
public sealed record TenantSearchHit(string Agent, ContextItem Item, int? LexicalRank, int? DenseRank);

/// <summary>The answer of <c>POST /v1/search</c>.</summary>
/// <param name="Hits">The hits, best first.</param>
public sealed record TenantSearchResponse(IReadOnlyList<TenantSearchHit> Hits);
