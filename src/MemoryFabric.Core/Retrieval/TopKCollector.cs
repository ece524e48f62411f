namespace MemoryFabric.Retrieval;

/// <summary>
/// Keeps the best <c>k</c> of a stream of scored keys in a bounded heap (O(n log k) instead of sorting all n), in the
/// order a full sort would give: score descending, ties by <see cref="ScoredKey{TKey}.Order"/> ascending.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
internal sealed class TopKCollector<TKey>
{
    private readonly int _limit;
    private readonly PriorityQueue<ScoredKey<TKey>, ScoredKey<TKey>> _heap; // the root is the worst kept item

    /// <summary>Creates a collector of at most <paramref name="limit"/> items.</summary>
    /// <param name="limit">How many to keep (at least 1).</param>
    public TopKCollector(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        _limit = limit;
        _heap = new PriorityQueue<ScoredKey<TKey>, ScoredKey<TKey>>(Math.Min(limit, 1024), WorstFirst.Instance);
    }

    /// <summary>Offers an item; it is kept when it is among the best so far.</summary>
    /// <param name="item">The item.</param>
    public void Add(ScoredKey<TKey> item)
    {
        if (_heap.Count < _limit)
        {
            _heap.Enqueue(item, item);
        }
        else if (WorstFirst.Instance.Compare(item, _heap.Peek()) > 0)
        {
            _heap.DequeueEnqueue(item, item);
        }
    }

    /// <summary>The kept items, best first.</summary>
    /// <returns>A new list.</returns>
    public List<ScoredKey<TKey>> ToSortedList()
    {
        var items = new List<ScoredKey<TKey>>(_heap.Count);
        foreach (var (element, _) in _heap.UnorderedItems)
        {
            items.Add(element);
        }

        items.Sort(static (a, b) => WorstFirst.Instance.Compare(b, a));
        return items;
    }

    // Orders worse before better: a lower score, or an equal score with a later Order, is worse.
    private sealed class WorstFirst : IComparer<ScoredKey<TKey>>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare(ScoredKey<TKey> x, ScoredKey<TKey> y) =>
            x.Score != y.Score ? x.Score.CompareTo(y.Score) : y.Order.CompareTo(x.Order);
    }
}
