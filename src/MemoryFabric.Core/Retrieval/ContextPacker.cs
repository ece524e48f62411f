using MemoryFabric.Text;

namespace MemoryFabric.Retrieval;

/// <summary>
/// Packs ranked items into a character budget: best first, each item charged its line plus the date line it
/// needs, skipping what does not fit, what repeats an item already packed (the same level and the same letters and
/// digits in its line, case, accents, punctuation and spacing aside, unless it is a short reply of fewer than three
/// terms: five identical turns are packed once) and what adds too little that is new (a greedy
/// maximal-marginal-relevance selection). The rendered result never exceeds the budget.
/// </summary>
public static class ContextPacker
{
    /// <summary>Selects items for a budget.</summary>
    /// <param name="ranked">Items, best first; <see cref="ContextItem.Text"/> is the item's line.</param>
    /// <param name="budgetCharacters">The budget in characters of rendered text.</param>
    /// <param name="minNovelty">An item is skipped when less than this share of its terms is new to the selection
    /// and all its turns are already covered.</param>
    /// <returns>The selected items, in selection order.</returns>
    public static IReadOnlyList<ContextItem> Pack(IEnumerable<ContextItem> ranked, int budgetCharacters, double minNovelty = 0.35) =>
        Pack(ranked, budgetCharacters, minNovelty, leftOut: null);

    /// <summary>Selects items for a budget and tells which were left out and why.</summary>
    /// <param name="ranked">Items, best first; <see cref="ContextItem.Text"/> is the item's line.</param>
    /// <param name="budgetCharacters">The budget in characters of rendered text.</param>
    /// <param name="minNovelty">As in <see cref="Pack(IEnumerable{ContextItem}, int, double)"/>.</param>
    /// <param name="leftOut">Called for each item left out, with <c>budget</c> (it did not fit) or <c>redundant</c>
    /// (it repeats a packed item, or too little of it was new), in rank order; <see langword="null"/> for none.</param>
    /// <returns>The selected items, in selection order.</returns>
    public static IReadOnlyList<ContextItem> Pack(IEnumerable<ContextItem> ranked, int budgetCharacters, double minNovelty, Action<ContextItem, string>? leftOut)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        var selected = new List<ContextItem>();
        var dates = new HashSet<string>(StringComparer.Ordinal);
        var terms = new HashSet<string>(StringComparer.Ordinal);
        var turns = new HashSet<string>(StringComparer.Ordinal);
        var selectedIds = new HashSet<string>(StringComparer.Ordinal);
        var repeats = new RepeatFilter();

        // The rendered text joins lines with '\n': n lines cost sum(length) + n - 1 characters.
        var used = -1;
        foreach (var item in ranked)
        {
            if (!selectedIds.Add(item.Kind + ":" + item.Id))
            {
                continue;
            }

            if (repeats.Repeats(item))
            {
                leftOut?.Invoke(item, "redundant"); // the same words said again: packed once
                continue;
            }

            var date = ContextRenderer.DateLine(item.Timestamp);
            var cost = item.Text.Length + 1 + (dates.Contains(date) ? 0 : date.Length + 1);
            if (used + cost > budgetCharacters)
            {
                leftOut?.Invoke(item, "budget");
                continue;
            }

            var itemTerms = TextAnalyzer.Terms(item.Text).Distinct(StringComparer.Ordinal).ToList();
            var novel = itemTerms.Count == 0 ? 0 : (double)itemTerms.Count(t => !terms.Contains(t)) / itemTerms.Count;
            var coversNewTurn = item.TurnIds.Any(t => !turns.Contains(t));
            if (!coversNewTurn && novel < minNovelty)
            {
                leftOut?.Invoke(item, "redundant");
                continue;
            }

            selected.Add(item);
            repeats.Add(item);
            used += cost;
            dates.Add(date);
            terms.UnionWith(itemTerms);
            turns.UnionWith(item.TurnIds);
        }

        return selected;
    }
}
