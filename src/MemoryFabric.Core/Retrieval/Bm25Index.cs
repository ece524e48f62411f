namespace MemoryFabric.Retrieval;

/// <summary>
/// An Okapi BM25 index over analyzed terms (see <see cref="Text.TextAnalyzer.Terms"/>). Documents can be added and
/// removed; removed documents are dropped from the postings lazily and compacted when they pile up.
/// Not thread-safe: the owning actor gives it one call at a time.
/// </summary>
/// <typeparam name="TKey">The document key.</typeparam>
public sealed class Bm25Index<TKey>
    where TKey : notnull
{
    private readonly Dictionary<string, List<Posting>> _postings = new(StringComparer.Ordinal);
    private readonly Dictionary<TKey, int> _slots = [];
    private readonly List<TKey> _keys = [];
    private readonly List<int> _lengths = [];
    private readonly List<bool> _live = [];
    private long _totalLength;
    private int _liveCount;

    /// <summary>Creates an index.</summary>
    /// <param name="k1">Term-frequency saturation (default 1.2).</param>
    /// <param name="b">Length normalization (default 0.75).</param>
    public Bm25Index(double k1 = 1.2, double b = 0.75)
    {
        K1 = k1;
        B = b;
    }

    /// <summary>Term-frequency saturation.</summary>
    public double K1 { get; }

    /// <summary>Length normalization.</summary>
    public double B { get; }

    /// <summary>The number of live documents.</summary>
    public int Count => _liveCount;

    /// <summary>Adds or replaces a document.</summary>
    /// <param name="key">The key.</param>
    /// <param name="terms">The document's terms.</param>
    public void Upsert(TKey key, IReadOnlyList<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        Remove(key);
        var slot = _keys.Count;
        _keys.Add(key);
        _lengths.Add(terms.Count);
        _live.Add(true);
        _slots[key] = slot;
        _totalLength += terms.Count;
        _liveCount++;

        var tf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in terms)
        {
            tf[t] = tf.GetValueOrDefault(t) + 1;
        }

        foreach (var (term, count) in tf)
        {
            if (!_postings.TryGetValue(term, out var list))
            {
                list = [];
                _postings[term] = list;
            }

            list.Add(new Posting(slot, count));
        }
    }

    /// <summary>Removes a document if present.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it was present.</returns>
    public bool Remove(TKey key)
    {
        if (!_slots.Remove(key, out var slot))
        {
            return false;
        }

        _live[slot] = false;
        _totalLength -= _lengths[slot];
        _liveCount--;
        if (_keys.Count > 64 && _liveCount < _keys.Count / 2)
        {
            Compact();
        }

        return true;
    }

    /// <summary>How many live documents contain a term.</summary>
    /// <param name="term">The term.</param>
    /// <returns>The count.</returns>
    public int DocumentFrequency(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        if (!_postings.TryGetValue(term, out var list))
        {
            return 0;
        }

        var df = 0;
        foreach (var p in list)
        {
            if (_live[p.Slot])
            {
                df++;
            }
        }

        return df;
    }

    /// <summary>Whether a document is indexed.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Contains(TKey key) => _slots.ContainsKey(key);

    /// <summary>Scores the documents that share a term with the query and returns the best.</summary>
    /// <param name="queryTerms">The query's terms (repeats count once).</param>
    /// <param name="limit">How many results at most.</param>
    /// <param name="filter">Optional predicate a document must pass.</param>
    /// <param name="termWeights">Optional per-term multipliers (e.g. to favour rare entities).</param>
    /// <returns>The results, best first.</returns>
    public IReadOnlyList<ScoredKey<TKey>> Search(
        IEnumerable<string> queryTerms,
        int limit,
        Func<TKey, bool>? filter = null,
        IReadOnlyDictionary<string, double>? termWeights = null)
    {
        ArgumentNullException.ThrowIfNull(queryTerms);
        if (_liveCount == 0 || limit <= 0)
        {
            return [];
        }

        var avgdl = Math.Max(1.0, (double)_totalLength / _liveCount);
        var scores = new Dictionary<int, double>();
        foreach (var term in queryTerms.Distinct(StringComparer.Ordinal))
        {
            if (!_postings.TryGetValue(term, out var list))
            {
                continue;
            }

            var df = 0;
            foreach (var p in list)
            {
                if (_live[p.Slot])
                {
                    df++;
                }
            }

            if (df == 0)
            {
                continue;
            }

            var idf = Math.Log(1 + ((_liveCount - df + 0.5) / (df + 0.5)));
            if (termWeights is not null && termWeights.TryGetValue(term, out var w))
            {
                idf *= w;
            }

            foreach (var p in list)
            {
                if (!_live[p.Slot])
                {
                    continue;
                }

                var norm = p.Frequency + (K1 * (1 - B + (B * _lengths[p.Slot] / avgdl)));
                var s = idf * p.Frequency * (K1 + 1) / norm;
                scores[p.Slot] = scores.GetValueOrDefault(p.Slot) + s;
            }
        }

        return TopK(scores, limit, filter);
    }

    private List<ScoredKey<TKey>> TopK(Dictionary<int, double> scores, int limit, Func<TKey, bool>? filter)
    {
        // Ties broken by insertion order so results are deterministic.
        var ranked = new TopKCollector<TKey>(limit);
        foreach (var (slot, score) in scores)
        {
            var key = _keys[slot];
            if (filter is null || filter(key))
            {
                ranked.Add(new ScoredKey<TKey>(key, score, slot));
            }
        }

        return ranked.ToSortedList();
    }

    private void Compact()
    {
        var map = new int[_keys.Count];
        var keys = new List<TKey>(_liveCount);
        var lengths = new List<int>(_liveCount);
        for (var i = 0; i < _keys.Count; i++)
        {
            if (_live[i])
            {
                map[i] = keys.Count;
                keys.Add(_keys[i]);
                lengths.Add(_lengths[i]);
            }
            else
            {
                map[i] = -1;
            }
        }

        foreach (var term in _postings.Keys.ToList())
        {
            var kept = new List<Posting>();
            foreach (var p in _postings[term])
            {
                if (map[p.Slot] >= 0)
                {
                    kept.Add(new Posting(map[p.Slot], p.Frequency));
                }
            }

            if (kept.Count == 0)
            {
                _postings.Remove(term);
            }
            else
            {
                _postings[term] = kept;
            }
        }

        _keys.Clear();
        _keys.AddRange(keys);
        _lengths.Clear();
        _lengths.AddRange(lengths);
        _live.Clear();
        _live.AddRange(Enumerable.Repeat(true, keys.Count));
        _slots.Clear();
        for (var i = 0; i < keys.Count; i++)
        {
            _slots[keys[i]] = i;
        }
    }

    /// <summary>The slots (live or not) of the index, in insertion order.</summary>
    internal int SlotCount => _keys.Count;

    /// <summary>Whether a slot holds a live document.</summary>
    internal bool IsLive(int slot) => _live[slot];

    /// <summary>The key of a slot.</summary>
    internal TKey KeyAt(int slot) => _keys[slot];

    /// <summary>The length (term count) of a slot's document.</summary>
    internal int LengthAt(int slot) => _lengths[slot];

    /// <summary>The postings by term; each list is in slot order.</summary>
    internal IEnumerable<KeyValuePair<string, List<Posting>>> Postings => _postings;

    /// <summary>Appends a live document without postings (loading a snapshot: the postings follow with
    /// <see cref="LoadPostings"/>).</summary>
    internal void LoadDocument(TKey key, int length)
    {
        if (!_slots.TryAdd(key, _keys.Count))
        {
            throw new InvalidDataException($"Document '{key}' appears twice in the lexical index.");
        }

        _keys.Add(key);
        _lengths.Add(length);
        _live.Add(true);
        _totalLength += length;
        _liveCount++;
    }

    /// <summary>Sets a term's postings (loading a snapshot); the slots must be loaded and in order.</summary>
    internal void LoadPostings(string term, List<Posting> postings)
    {
        if (postings.Count == 0 || !_postings.TryAdd(term, postings))
        {
            throw new InvalidDataException($"Term '{term}' appears twice in the lexical index, or without postings.");
        }
    }

    /// <summary>A document's term frequency.</summary>
    /// <param name="Slot">The document's slot.</param>
    /// <param name="Frequency">How many times the term occurs in it.</param>
    internal readonly record struct Posting(int Slot, int Frequency);
}

/// <summary>A key with a score.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <param name="Key">The key.</param>
/// <param name="Score">The score, higher is better.</param>
/// <param name="Order">A tie-breaker (insertion order).</param>
public readonly record struct ScoredKey<TKey>(TKey Key, double Score, int Order = 0);
