using MemoryFabric.Text;

namespace MemoryFabric.Retrieval.Passages;

/// <summary>
/// The passages of long turns (issue 27, item 2), lexically indexed, each carrying its turn id. A query ranks long
/// turns by their best passage (BM25 over passages, so a fact in the middle of a 600-token turn is not drowned by the
/// turn's length), and a long turn is packed as an excerpt of its best passages (<see cref="Excerpt"/>) instead of
/// whole; the whole turn stays one call away by its id. Derived from the turns alone: not persisted, rebuilt from them.
/// </summary>
/// <remarks>Not thread-safe: used under the memory's own synchronisation, like its other indexes.</remarks>
public sealed class PassageIndex
{
    private readonly PassageOptions _options;
    private readonly Bm25Index<string> _lexical = new();
    private readonly Dictionary<string, TurnPassage> _passages = new(StringComparer.Ordinal);
    private readonly Dictionary<TurnPassage, HashSet<string>> _terms = [];
    private readonly Dictionary<string, (string Text, IReadOnlyList<TurnPassage> Passages)> _turns = new(StringComparer.Ordinal);

    /// <summary>Creates an empty index.</summary>
    /// <param name="options">The thresholds; defaults when <see langword="null"/>.</param>
    public PassageIndex(PassageOptions? options = null)
    {
        _options = options ?? new PassageOptions();
    }

    /// <summary>The options.</summary>
    public PassageOptions Options => _options;

    /// <summary>How many turns are indexed as passages.</summary>
    public int TurnCount => _turns.Count;

    /// <summary>How many passages are indexed.</summary>
    public int PassageCount => _passages.Count;

    /// <summary>Whether a turn is indexed as passages (it is long).</summary>
    /// <param name="turnId">The turn id.</param>
    /// <returns>Whether it is.</returns>
    public bool Contains(string turnId) => _turns.ContainsKey(turnId);

    /// <summary>The passages of an indexed turn, in order; empty for a turn that is not.</summary>
    /// <param name="turnId">The turn id.</param>
    /// <returns>The passages.</returns>
    public IReadOnlyList<TurnPassage> PassagesOf(string turnId) => _turns.TryGetValue(turnId, out var entry) ? entry.Passages : [];

    /// <summary>Indexes a turn's passages, replacing the ones it had; a turn that is not long is removed.</summary>
    /// <param name="turnId">The turn id.</param>
    /// <param name="text">Its text.</param>
    public void Upsert(string turnId, string text)
    {
        ArgumentNullException.ThrowIfNull(turnId);
        ArgumentNullException.ThrowIfNull(text);
        Remove(turnId);
        var passages = PassageSplitter.Split(turnId, text, _options);
        if (passages.Count == 0)
        {
            return;
        }

        _turns[turnId] = (text, passages);
        foreach (var passage in passages)
        {
            var key = Key(passage);
            _passages[key] = passage;
            var terms = TextAnalyzer.Terms(text.AsSpan(passage.Start, passage.Length).ToString());
            _lexical.Upsert(key, terms);
            _terms[passage] = new HashSet<string>(terms, StringComparer.Ordinal);
        }
    }

    /// <summary>Removes a turn's passages.</summary>
    /// <param name="turnId">The turn id.</param>
    /// <returns>Whether it had any.</returns>
    public bool Remove(string turnId)
    {
        if (!_turns.Remove(turnId, out var entry))
        {
            return false;
        }

        foreach (var passage in entry.Passages)
        {
            var key = Key(passage);
            _passages.Remove(key);
            _lexical.Remove(key);
            _terms.Remove(passage);
        }

        return true;
    }

    /// <summary>Scores every passage that shares a term with the query, and keeps each turn's best passages.</summary>
    /// <param name="queryTerms">The query's terms.</param>
    /// <param name="include">Whether a turn may be found (not quarantined, still stored).</param>
    /// <returns>The match: long turns ranked by their best passage, and each one's passages by score.</returns>
    public PassageMatch Search(IReadOnlyList<string> queryTerms, Func<string, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(queryTerms);
        if (_passages.Count == 0 || queryTerms.Count == 0)
        {
            return PassageMatch.Empty;
        }

        var byTurn = new Dictionary<string, List<ScoredKey<TurnPassage>>>(StringComparer.Ordinal);
        var ranked = new List<ScoredKey<string>>();
        foreach (var hit in _lexical.Search(queryTerms, _passages.Count))
        {
            var passage = _passages[hit.Key];
            if (include is not null && !include(passage.TurnId))
            {
                continue;
            }

            if (!byTurn.TryGetValue(passage.TurnId, out var list))
            {
                list = [];
                byTurn[passage.TurnId] = list;
                ranked.Add(new ScoredKey<string>(passage.TurnId, hit.Score, ranked.Count)); // hits come best first
            }

            list.Add(new ScoredKey<TurnPassage>(passage, hit.Score, list.Count));
        }

        return new PassageMatch(ranked, byTurn);
    }

    /// <summary>
    /// The excerpt a long turn is packed as: <c>[excerpt of turn {id}]</c>, then at most two passages in the turn's
    /// order, with "…" where text is left out: the passage the best note drawn from the turn comes from (the most of
    /// the note's terms; a note that matched the query points at the sentence it distils, even when the query shares
    /// no word with it), and the passage that best matches the query's words; with one signal only, its best passage
    /// and, when it does not overlap it and scores at least <see cref="PassageOptions.SecondPassageShare"/> of it, its
    /// next best. A turn neither signal points into (found by meaning alone) shows its first passage.
    /// <see langword="null"/> for a turn that is not long.
    /// </summary>
    /// <param name="turnId">The turn id.</param>
    /// <param name="match">The query's passage match.</param>
    /// <param name="noteTerms">The terms of the best-ranked note drawn from the turn, if any.</param>
    /// <returns>The excerpt text, or <see langword="null"/>.</returns>
    public string? Excerpt(string turnId, PassageMatch match, IReadOnlyCollection<string>? noteTerms = null)
    {
        ArgumentNullException.ThrowIfNull(match);
        if (!_turns.TryGetValue(turnId, out var entry))
        {
            return null;
        }

        var chosen = new List<TurnPassage>(2);
        if (noteTerms is { Count: > 0 } && BestByTerms(entry.Passages, noteTerms) is { } fromNote)
        {
            chosen.Add(fromNote);
        }

        var scored = match.PassagesOf(turnId);
        if (scored.Count > 0)
        {
            if (chosen.Count == 0)
            {
                chosen.Add(scored[0].Key);
                var second = scored.Skip(1).FirstOrDefault(s => !s.Key.Overlaps(scored[0].Key));
                if (second.Key.TurnId is not null && second.Score >= _options.SecondPassageShare * scored[0].Score)
                {
                    chosen.Add(second.Key);
                }
            }
            else if (!scored[0].Key.Overlaps(chosen[0]))
            {
                chosen.Add(scored[0].Key); // the query's best passage, when the note's does not already hold it
            }
        }

        if (chosen.Count == 0)
        {
            chosen.Add(entry.Passages[0]);
        }

        chosen.Sort((a, b) => a.Start.CompareTo(b.Start));
        var text = entry.Text;
        var builder = new System.Text.StringBuilder();
        builder.Append("[excerpt of turn ").Append(turnId).Append(']');
        var position = 0;
        foreach (var passage in chosen)
        {
            builder.Append(passage.Start > position ? " … " : " ");
            builder.Append(text, passage.Start, passage.Length);
            position = passage.End;
        }

        if (position < text.TrimEnd().Length)
        {
            builder.Append(" …");
        }

        return builder.ToString();
    }

    // The passage holding the most of the terms (ties: the shorter, then the earlier), or null when none holds any.
    private TurnPassage? BestByTerms(IReadOnlyList<TurnPassage> passages, IReadOnlyCollection<string> terms)
    {
        TurnPassage? best = null;
        var bestCount = 0;
        foreach (var passage in passages)
        {
            var set = _terms[passage];
            var count = terms.Count(set.Contains);
            if (count > bestCount || (count == bestCount && count > 0 && passage.Length < best!.Value.Length))
            {
                best = passage;
                bestCount = count;
            }
        }

        return best;
    }

    private static string Key(TurnPassage passage) => passage.TurnId + "#" + passage.Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
