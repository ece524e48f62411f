using MemoryFabric.Text;

namespace MemoryFabric.Retrieval;

/// <summary>
/// The verbatim context: the whole history (each identical turn once) together with the agent's notes that match
/// the query, all within the budget. A note whose source turns are all in the context and that adds too little that
/// is new (under <c>minNovelty</c> of its terms) is left out as redundant, since the turns it came from say it; any
/// other matching note (one written through the API without source turns, one with new words, dates made absolute)
/// goes in. When one of them does not fit, there is no verbatim context: the caller falls back to retrieval, which
/// weighs notes and turns together.
/// </summary>
internal static class VerbatimPacker
{
    /// <summary>Packs the history and the matching notes.</summary>
    /// <param name="turns">The history's turn items, in conversation order (<see cref="ContextItem.Text"/> is the line).</param>
    /// <param name="notes">The matching notes, best first.</param>
    /// <param name="budgetCharacters">The budget in characters of rendered text.</param>
    /// <param name="minNovelty">A note drawn only from turns in the context needs this share of new terms.</param>
    /// <returns>The items (turns first, then notes), or <see langword="null"/> when they do not all fit.</returns>
    public static IReadOnlyList<ContextItem>? Pack(IEnumerable<ContextItem> turns, IEnumerable<ContextItem> notes, int budgetCharacters, double minNovelty)
    {
        ArgumentNullException.ThrowIfNull(turns);
        ArgumentNullException.ThrowIfNull(notes);
        var selected = new List<ContextItem>();
        var dates = new HashSet<string>(StringComparer.Ordinal);
        var repeats = new RepeatFilter();
        var terms = new HashSet<string>(StringComparer.Ordinal);
        var turnIds = new HashSet<string>(StringComparer.Ordinal);
        var used = -1; // n lines joined by '\n' cost sum(length) + n - 1

        bool TryAdd(ContextItem item)
        {
            var date = ContextRenderer.DateLine(item.Timestamp);
            var cost = item.Text.Length + 1 + (dates.Contains(date) ? 0 : date.Length + 1);
            if (used + cost > budgetCharacters)
            {
                return false;
            }

            used += cost;
            dates.Add(date);
            selected.Add(item);
            return true;
        }

        foreach (var turn in turns)
        {
            if (repeats.RepeatsOrAdd(turn))
            {
                continue; // said again word for word: once
            }

            if (!TryAdd(turn))
            {
                return null;
            }

            terms.UnionWith(TextAnalyzer.Terms(turn.Text));
            turnIds.UnionWith(turn.TurnIds);
        }

        foreach (var note in notes)
        {
            if (repeats.RepeatsOrAdd(note))
            {
                continue;
            }

            var noteTerms = TextAnalyzer.Terms(note.Text).Distinct(StringComparer.Ordinal).ToList();
            var derived = note.TurnIds.Count > 0 && note.TurnIds.All(turnIds.Contains);
            var novel = noteTerms.Count == 0 ? 0 : (double)noteTerms.Count(t => !terms.Contains(t)) / noteTerms.Count;
            if (derived && novel < minNovelty)
            {
                continue; // its turns are here and say it
            }

            if (!TryAdd(note))
            {
                return null;
            }

            terms.UnionWith(noteTerms);
        }

        return selected;
    }
}
