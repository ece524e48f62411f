using MemoryFabric.Embeddings;
using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Retrieval;
using MemoryFabric.Text;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Evaluation.Strategies;

/// <summary>
/// Baseline <c>hybrid-turns</c>: the rankings of <see cref="Bm25TurnsStrategy"/> (turns sharing a term with the
/// question, by BM25) and <see cref="DenseTurnsStrategy"/> (every turn, by cosine similarity) fused by reciprocal
/// rank, <c>score(turn) = Σ 1 / (k + rank)</c> over the lists that hold it (rank 1-based, <c>k</c> = 60 by
/// default), ties broken by conversation order, and packed best first into the budget by the same packer. What a
/// competent engineer builds in an afternoon; each item covers its own turn.
/// </summary>
public sealed class HybridTurnsStrategy : IContextStrategy
{
    /// <summary>The reciprocal-rank constant of the usual RRF (Cormack et al., 2009).</summary>
    public const int DefaultRrfK = 60;

    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly TurnBaselineOptions _options;
    private readonly int _rrfK;
    private readonly Bm25Index<int> _bm25 = new();
    private readonly ExactVectorIndex<int> _vectors = new();
    private List<BaselineTurn> _turns = [];

    /// <summary>Creates the strategy.</summary>
    /// <param name="embeddingGenerator">The embedder of the dense list; a <see cref="HashingEmbeddingGenerator"/>
    /// when <see langword="null"/>. It is not disposed by the strategy.</param>
    /// <param name="options">Rendering and indexing options; defaults when <see langword="null"/>.</param>
    /// <param name="rrfK">The reciprocal-rank constant <c>k</c> (positive; default 60).</param>
    public HybridTurnsStrategy(IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null, TurnBaselineOptions? options = null, int rrfK = DefaultRrfK)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rrfK);
        _embedder = embeddingGenerator ?? new HashingEmbeddingGenerator();
        _options = options ?? new TurnBaselineOptions();
        _rrfK = rrfK;
    }

    /// <inheritdoc />
    public async Task IngestAsync(DatasetConversation conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        _turns = BaselineTurn.From(conversation, _options);
        foreach (var turn in _turns)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _bm25.Upsert(turn.Order, TextAnalyzer.Terms(turn.SearchText(_options)));
        }

        await TurnVectors.IndexAsync(_embedder, _turns, _options, _vectors, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<MemoryContext> GetContextAsync(string question, DateTimeOffset queryTime, int tokenBudget, CancellationToken cancellationToken)
    {
        var limit = Math.Max(1, _turns.Count);
        var lexical = _bm25.Search(TextAnalyzer.Terms(question), limit);
        var query = await TurnVectors.QueryAsync(_embedder, question, cancellationToken).ConfigureAwait(false);
        var dense = _vectors.Search(query, limit);
        var fused = Fuse([lexical.Select(h => h.Key).ToList(), dense.Select(h => h.Key).ToList()], _rrfK);
        return ContextPacker.PackBestFirst(fused.Select(f => (_turns[f.Key], f.Score)), tokenBudget, _options.Chronological);
    }

    /// <summary>Reciprocal-rank fusion of rankings of turn orders: <c>Σ 1 / (k + rank)</c>, best first, ties by
    /// smaller key.</summary>
    /// <param name="rankings">The rankings, each best first (a key at most once per list).</param>
    /// <param name="k">The reciprocal-rank constant.</param>
    /// <returns>Every key of any list with its fused score, best first.</returns>
    internal static List<(int Key, double Score)> Fuse(IReadOnlyList<IReadOnlyList<int>> rankings, int k)
    {
        var scores = new Dictionary<int, double>();
        foreach (var ranking in rankings)
        {
            for (var i = 0; i < ranking.Count; i++)
            {
                scores[ranking[i]] = scores.GetValueOrDefault(ranking[i]) + (1.0 / (k + i + 1));
            }
        }

        var fused = scores.Select(p => (p.Key, p.Value)).ToList();
        fused.Sort(static (a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : a.Key.CompareTo(b.Key));
        return fused;
    }
}
