using MemoryFabric.Embeddings;
using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Evaluation.Strategies;

/// <summary>
/// Baseline <c>dense-turns</c>: each turn is embedded (by default with the offline
/// <see cref="HashingEmbeddingGenerator"/>; pass a sentence encoder to replace it) into an
/// <see cref="ExactVectorIndex{TKey}"/>; every turn is ranked by cosine similarity to the question and packed best
/// first into the budget. Each item covers its own turn.
/// </summary>
public sealed class DenseTurnsStrategy : IContextStrategy
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly TurnBaselineOptions _options;
    private readonly ExactVectorIndex<int> _index = new();
    private List<BaselineTurn> _turns = [];

    /// <summary>Creates the strategy.</summary>
    /// <param name="embeddingGenerator">The embedder; a <see cref="HashingEmbeddingGenerator"/> when
    /// <see langword="null"/>. It is not disposed by the strategy.</param>
    /// <param name="options">Rendering and indexing options; defaults when <see langword="null"/>.</param>
    public DenseTurnsStrategy(IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null, TurnBaselineOptions? options = null)
    {
        _embedder = embeddingGenerator ?? new HashingEmbeddingGenerator();
        _options = options ?? new TurnBaselineOptions();
    }

    /// <inheritdoc />
    public async Task IngestAsync(DatasetConversation conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        _turns = BaselineTurn.From(conversation, _options);
        await TurnVectors.IndexAsync(_embedder, _turns, _options, _index, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<MemoryContext> GetContextAsync(string question, DateTimeOffset queryTime, int tokenBudget, CancellationToken cancellationToken)
    {
        var query = await TurnVectors.QueryAsync(_embedder, question, cancellationToken).ConfigureAwait(false);
        var hits = _index.Search(query, Math.Max(1, _turns.Count));
        var ranked = hits.Select(h => (_turns[h.Key], (double)h.Score));
        return ContextPacker.PackBestFirst(ranked, tokenBudget, _options.Chronological);
    }
}
