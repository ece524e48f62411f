using MemoryFabric.Text;

namespace MemoryFabric.Retrieval.Passages;

/// <summary>
/// For one query, the best-ranked note candidate drawn from each long turn: its words point at the passage of the
/// turn the note distils, which the excerpt then shows (<see cref="PassageIndex.Excerpt"/>).
/// </summary>
public sealed class PassageCues
{
    private readonly PassageIndex _index;
    private readonly Dictionary<string, (double Score, string Text)> _best = new(StringComparer.Ordinal);

    /// <summary>Creates the cues of one query.</summary>
    /// <param name="index">The passages: only their long turns keep cues.</param>
    public PassageCues(PassageIndex index)
    {
        _index = index ?? throw new ArgumentNullException(nameof(index));
    }

    /// <summary>Offers a note candidate drawn from a turn; the turn keeps the best-scored one.</summary>
    /// <param name="turnId">A source turn of the note.</param>
    /// <param name="noteText">The note's text.</param>
    /// <param name="score">The note's fused score.</param>
    public void Offer(string turnId, string noteText, double score)
    {
        if (_index.Contains(turnId) && (!_best.TryGetValue(turnId, out var current) || score > current.Score))
        {
            _best[turnId] = (score, noteText);
        }
    }

    /// <summary>The terms of the best note drawn from a turn, or <see langword="null"/> when none was offered.</summary>
    /// <param name="turnId">The turn id.</param>
    /// <returns>The terms, or <see langword="null"/>.</returns>
    public IReadOnlyCollection<string>? TermsOf(string turnId) =>
        _best.TryGetValue(turnId, out var best) ? TextAnalyzer.Terms(best.Text).Distinct(StringComparer.Ordinal).ToList() : null;
}
