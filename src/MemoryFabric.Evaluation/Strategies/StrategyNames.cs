namespace MemoryFabric.Evaluation.Strategies;

/// <summary>The names of the built-in strategies.</summary>
public static class StrategyNames
{
    /// <summary>MemoryFabric's <see cref="IAgentMemory"/>.</summary>
    public const string Fabric = "fabric";

    /// <summary>BM25 over raw turns.</summary>
    public const string Bm25Turns = "bm25-turns";

    /// <summary>Dense (embedding) search over raw turns.</summary>
    public const string DenseTurns = "dense-turns";

    /// <summary>BM25 and dense search over raw turns, fused by reciprocal rank.</summary>
    public const string HybridTurns = "hybrid-turns";

    /// <summary>The most recent turns.</summary>
    public const string Recent = "recent";

    /// <summary>The entire history, ignoring the budget (an upper-bound reference).</summary>
    public const string Full = "full";

    /// <summary>All built-in strategy names, in report order.</summary>
    public static IReadOnlyList<string> All { get; } = [Fabric, Bm25Turns, DenseTurns, HybridTurns, Recent, Full];
}
