namespace MemoryFabric.Retrieval;

/// <summary>A search over an agent's memory.</summary>
public sealed record SearchRequest
{
    /// <summary>The query text. Required, not blank.</summary>
    public required string Query { get; init; }

    /// <summary>How many hits to return (default 10).</summary>
    public int Limit { get; init; } = 10;

    /// <summary>Which levels to search; all by default.</summary>
    public IReadOnlyList<MemoryItemKind>? Kinds { get; init; }

    /// <summary>When the query is asked; defaults to the memory's clock.</summary>
    public DateTimeOffset? QueryTime { get; init; }
}

/// <summary>One search hit.</summary>
/// <param name="Item">The item found (its text unrendered).</param>
/// <param name="LexicalRank">Its rank in lexical (BM25) search, if found there (1-based).</param>
/// <param name="DenseRank">Its rank in dense search, if found there (1-based).</param>
public sealed record SearchHit(ContextItem Item, int? LexicalRank, int? DenseRank);
