namespace MemoryFabric.Retrieval;

/// <summary>A request for the context an agent should see for a query.</summary>
public sealed record ContextRequest
{
    /// <summary>The query, usually the latest user message. Required, not blank.</summary>
    public required string Query { get; init; }

    /// <summary>The token budget of the rendered context (tokens are ceil(characters / 4)). Default 1,000.</summary>
    public int TokenBudget { get; init; } = 1000;

    /// <summary>When the query is asked, to resolve "last week" in the query; defaults to the memory's clock.</summary>
    public DateTimeOffset? QueryTime { get; init; }

    /// <summary>Return the verbatim history when it fits the budget together with the notes that match the query
    /// (each line said again word for word once; default <see langword="true"/>).</summary>
    public bool PreferVerbatimWhenItFits { get; init; } = true;

    /// <summary>Also return how the context was built (<see cref="MemoryContext.Explanation"/>): each packed item's
    /// score, the signals that found it and its token count, and the best-ranked items left out (default
    /// <see langword="false"/>).</summary>
    public bool Explain { get; init; }
}
