using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Retrieval;
using MemoryFabric.Text;

namespace MemoryFabric.Evaluation.Strategies;

/// <summary>
/// Baseline <c>bm25-turns</c>: a <see cref="Bm25Index{TKey}"/> over each turn's <see cref="TextAnalyzer.Terms"/>;
/// the turns that share a term with the question are ranked by BM25 and packed best first into the budget (a turn
/// that does not fit is skipped and the next ones are tried). Each item covers its own turn.
/// </summary>
public sealed class Bm25TurnsStrategy : IContextStrategy
{
    private readonly TurnBaselineOptions _options;
    private readonly Bm25Index<int> _index = new();
    private List<BaselineTurn> _turns = [];

    /// <summary>Creates the strategy.</summary>
    /// <param name="options">Rendering and indexing options; defaults when <see langword="null"/>.</param>
    public Bm25TurnsStrategy(TurnBaselineOptions? options = null) => _options = options ?? new TurnBaselineOptions();

    /// <inheritdoc />
    public Task IngestAsync(DatasetConversation conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        _turns = BaselineTurn.From(conversation, _options);
        foreach (var turn in _turns)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _index.Upsert(turn.Order, TextAnalyzer.Terms(turn.SearchText(_options)));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<MemoryContext> GetContextAsync(string question, DateTimeOffset queryTime, int tokenBudget, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var hits = _index.Search(TextAnalyzer.Terms(question), Math.Max(1, _turns.Count));
        var ranked = hits.Select(h => (_turns[h.Key], h.Score));
        return Task.FromResult(ContextPacker.PackBestFirst(ranked, tokenBudget, _options.Chronological));
    }
}
