using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Evaluation.Strategies;

/// <summary>
/// Reference <c>full</c>: the entire history, rendered in conversation order, <b>ignoring the token budget</b>. It is
/// an upper bound on what any strategy could cover (at the cost of all the tokens), not a competitor.
/// </summary>
public sealed class FullHistoryStrategy : IContextStrategy
{
    private readonly TurnBaselineOptions _options;
    private MemoryContext? _context;

    /// <summary>Creates the strategy.</summary>
    /// <param name="options">Rendering options; defaults when <see langword="null"/>.</param>
    public FullHistoryStrategy(TurnBaselineOptions? options = null) => _options = options ?? new TurnBaselineOptions();

    /// <inheritdoc />
    public Task IngestAsync(DatasetConversation conversation, CancellationToken cancellationToken)
    {
        var turns = BaselineTurn.From(conversation, _options);
        _context = ContextPacker.Build(turns.Select(t => (t, 0.0)).ToList(), "verbatim");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<MemoryContext> GetContextAsync(string question, DateTimeOffset queryTime, int tokenBudget, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_context ?? throw new InvalidOperationException("Ingest the conversation first."));
    }
}
