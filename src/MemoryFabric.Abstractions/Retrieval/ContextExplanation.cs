namespace MemoryFabric.Retrieval;

/// <summary>How a context was built (<see cref="ContextRequest.Explain"/>): the packed items with why they were found,
/// and the best-ranked items that were left out.</summary>
/// <param name="Items">The packed items, best first.</param>
/// <param name="BelowCut">The best-ranked items that were not packed (at most <see cref="BelowCutLimit"/>), best
/// first, each with <see cref="ExplainedItem.LeftOut"/>.</param>
/// <param name="Candidates">How many candidates the ranking held (after the guard's screening).</param>
/// <param name="BudgetTokens">The token budget asked for.</param>
public sealed record ContextExplanation(
    IReadOnlyList<ExplainedItem> Items,
    IReadOnlyList<ExplainedItem> BelowCut,
    int Candidates,
    int BudgetTokens)
{
    /// <summary>The most items <see cref="BelowCut"/> lists.</summary>
    public const int BelowCutLimit = 5;
}

/// <summary>One ranked item of a <see cref="ContextExplanation"/>.</summary>
/// <param name="Kind">The level it comes from.</param>
/// <param name="Id">The turn, episode or note version id.</param>
/// <param name="Text">Its line, as rendered in the context.</param>
/// <param name="Rank">Its place in the fused ranking (1-based; in a verbatim context, its place in the history).</param>
/// <param name="Score">The fused score, priors applied (0 in a verbatim context).</param>
/// <param name="Tokens">The tokens its line costs (ceil(characters / 4)).</param>
/// <param name="Signals">What found or backed it: <c>lexical</c> (BM25), <c>dense</c> (vector search),
/// <c>expansion</c> (brought by a note it is a source turn of), <c>successor</c> (the note, or a source turn of the
/// note, that replaced a superseded candidate: ranked above it) and <c>consensus</c> (a weak source the guard's
/// consensus checked and let through).</param>
public sealed record ExplainedItem(MemoryItemKind Kind, string Id, string Text, int Rank, double Score, int Tokens, IReadOnlyList<string> Signals)
{
    /// <summary>Its rank in the lexical (BM25) list, if found there (1-based).</summary>
    public int? LexicalRank { get; init; }

    /// <summary>Its rank in the dense list, if found there (1-based).</summary>
    public int? DenseRank { get; init; }

    /// <summary>The score it received from hierarchical expansion (a share of the score of each note it is a source
    /// turn of); 0 when none.</summary>
    public double Expansion { get; init; }

    /// <summary>What the guard's retrieval-time consensus made of it: <c>trusted</c> (a strong source, not checked),
    /// <c>checked</c> (a weak source checked against the trusted memories and the relation groups, and let through),
    /// or <see langword="null"/> when consensus is off.</summary>
    public string? Consensus { get; init; }

    /// <summary>Why it was left out of the context (<see cref="ContextExplanation.BelowCut"/> only): <c>budget</c> (its
    /// line did not fit) or <c>redundant</c> (it added too little that was new); <see langword="null"/> for a packed
    /// item.</summary>
    public string? LeftOut { get; init; }
}
