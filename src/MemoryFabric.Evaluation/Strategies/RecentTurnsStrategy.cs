using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Evaluation.Strategies;

/// <summary>
/// Baseline <c>recent</c>: the most recent turns of the conversation that fit the budget together (a contiguous
/// tail: it stops at the first turn that would not fit), rendered in conversation order. The question is ignored.
/// </summary>
public sealed class RecentTurnsStrategy : IContextStrategy
{
    private readonly TurnBaselineOptions _options;
    private List<BaselineTurn> _turns = [];

    /// <summary>Creates the strategy.</summary>
    /// <param name="options">Rendering options; defaults when <see langword="null"/>.</param>
    public RecentTurnsStrategy(TurnBaselineOptions? options = null) => _options = options ?? new TurnBaselineOptions();

    /// <inheritdoc />
    public Task IngestAsync(DatasetConversation conversation, CancellationToken cancellationToken)
    {
        _turns = BaselineTurn.From(conversation, _options);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<MemoryContext> GetContextAsync(string question, DateTimeOffset queryTime, int tokenBudget, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var maxChars = ContextTokens.Characters(tokenBudget);
        var chars = 0;
        var first = _turns.Count;
        while (first > 0)
        {
            var added = _turns[first - 1].Line.Length + (first == _turns.Count ? 0 : 1);
            if (chars + added > maxChars)
            {
                break;
            }

            chars += added;
            first--;
        }

        var tail = new List<(BaselineTurn, double)>(_turns.Count - first);
        for (var i = first; i < _turns.Count; i++)
        {
            tail.Add((_turns[i], 0));
        }

        return Task.FromResult(ContextPacker.Build(tail, "retrieved"));
    }
}
