using MemoryFabric.Embeddings;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Evaluation.Strategies;

/// <summary>The built-in strategies by name.</summary>
public static class StrategyCatalog
{
    /// <summary>Creates the definitions of the built-in strategies, in <see cref="StrategyNames.All"/> order.</summary>
    /// <param name="memoryFactory">Creates the <see cref="IAgentMemory"/> under test for the <c>fabric</c> strategy
    /// (one per conversation).</param>
    /// <param name="embeddingGenerator">The embedder of <c>dense-turns</c> and <c>hybrid-turns</c>; a <see cref="HashingEmbeddingGenerator"/>
    /// when <see langword="null"/>.</param>
    /// <param name="baselineOptions">Rendering and indexing options of the turn baselines; defaults when
    /// <see langword="null"/>.</param>
    /// <param name="embedderName">The embedder's name in the descriptions; <c>hashing</c> when <see langword="null"/>.</param>
    /// <returns>The definitions.</returns>
    public static IReadOnlyList<StrategyDefinition> Create(
        Func<IAgentMemory> memoryFactory,
        IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null,
        TurnBaselineOptions? baselineOptions = null,
        string? embedderName = null)
    {
        ArgumentNullException.ThrowIfNull(memoryFactory);
        var options = baselineOptions ?? new TurnBaselineOptions();
        var embedder = embeddingGenerator ?? new HashingEmbeddingGenerator();
        return
        [
            new(StrategyNames.Fabric, "MemoryFabric (IAgentMemory: ingest, consolidate once, GetContextAsync)", () => new FabricStrategy(memoryFactory)),
            new(StrategyNames.Bm25Turns, "BM25 over raw turns, packed best-first into the budget", () => new Bm25TurnsStrategy(options)),
            new(StrategyNames.DenseTurns, $"dense search ({embedderName ?? "hashing"} embedder) over raw turns, packed best-first", () => new DenseTurnsStrategy(embedder, options)),
            new(StrategyNames.HybridTurns, $"BM25 and dense search ({embedderName ?? "hashing"} embedder) over raw turns fused by reciprocal rank (k = {HybridTurnsStrategy.DefaultRrfK}), packed best-first", () => new HybridTurnsStrategy(embedder, options)),
            new(StrategyNames.Recent, "the most recent turns that fit the budget", () => new RecentTurnsStrategy(options)),
            new(StrategyNames.Full, "the entire history, ignoring the budget (upper-bound reference)", () => new FullHistoryStrategy(options), IgnoresBudget: true),
        ];
    }

    /// <summary>Picks strategies by name, in the order given.</summary>
    /// <param name="definitions">The available definitions.</param>
    /// <param name="names">The names wanted (case-insensitive).</param>
    /// <returns>The definitions picked.</returns>
    /// <exception cref="ArgumentException">A name is unknown or given twice; the message lists the known ones.</exception>
    public static IReadOnlyList<StrategyDefinition> Select(IReadOnlyList<StrategyDefinition> definitions, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(names);
        var picked = new List<StrategyDefinition>();
        foreach (var name in names)
        {
            var definition = definitions.FirstOrDefault(d => string.Equals(d.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"unknown strategy \"{name.Trim()}\" (known: {string.Join(", ", definitions.Select(d => d.Name))})", nameof(names));
            if (picked.Contains(definition))
            {
                throw new ArgumentException($"strategy \"{definition.Name}\" is given twice", nameof(names));
            }

            picked.Add(definition);
        }

        if (picked.Count == 0)
        {
            throw new ArgumentException("no strategy given", nameof(names));
        }

        return picked;
    }
}
