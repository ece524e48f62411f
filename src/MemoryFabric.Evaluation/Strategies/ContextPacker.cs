using MemoryFabric.Retrieval;

namespace MemoryFabric.Evaluation.Strategies;

/// <summary>Builds baseline contexts: lines joined by <c>\n</c>, one <see cref="ContextItem"/> per turn covering
/// that turn only.</summary>
internal static class ContextPacker
{
    /// <summary>Takes ranked turns best first while the rendered context stays within the budget; a turn that does
    /// not fit is skipped and the next ones are tried.</summary>
    public static MemoryContext PackBestFirst(IEnumerable<(BaselineTurn Turn, double Score)> ranked, int tokenBudget, bool chronological)
    {
        var maxChars = ContextTokens.Characters(tokenBudget);
        var chosen = new List<(BaselineTurn Turn, double Score)>();
        var chars = 0;
        foreach (var candidate in ranked)
        {
            var added = candidate.Turn.Line.Length + (chosen.Count == 0 ? 0 : 1);
            if (chars + added <= maxChars)
            {
                chosen.Add(candidate);
                chars += added;
            }
        }

        if (chronological)
        {
            chosen.Sort(static (a, b) => a.Turn.Order.CompareTo(b.Turn.Order));
        }

        return Build(chosen, "retrieved");
    }

    /// <summary>Renders the given turns in the given order.</summary>
    public static MemoryContext Build(IReadOnlyList<(BaselineTurn Turn, double Score)> turns, string mode)
    {
        var items = new List<ContextItem>(turns.Count);
        var lines = new List<string>(turns.Count);
        foreach (var (turn, score) in turns)
        {
            lines.Add(turn.Line);
            items.Add(new ContextItem(MemoryItemKind.Turn, turn.Id, turn.Line, turn.Timestamp, [turn.Id], score));
        }

        var text = string.Join('\n', lines);
        return new MemoryContext(text, items, ContextTokens.Count(text), mode);
    }
}
