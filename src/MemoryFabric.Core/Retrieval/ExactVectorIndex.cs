using System.Numerics.Tensors;

namespace MemoryFabric.Retrieval;

/// <summary>
/// Exact nearest-neighbour search by inner product over unit-length vectors (cosine similarity), with
/// <see cref="TensorPrimitives"/>. The dense candidate source until the ANN index takes over.
/// Not thread-safe: the owning actor gives it one call at a time.
/// </summary>
/// <typeparam name="TKey">The item key.</typeparam>
public sealed class ExactVectorIndex<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, int> _slots = [];
    private readonly List<TKey> _keys = [];
    private readonly List<float[]> _vectors = [];

    /// <summary>The number of vectors.</summary>
    public int Count => _keys.Count;

    /// <summary>The keys and vectors, in slot order.</summary>
    public IEnumerable<(TKey Key, float[] Vector)> Items => _keys.Select((key, slot) => (key, _vectors[slot]));

    /// <summary>Whether a key is indexed.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Contains(TKey key) => _slots.ContainsKey(key);

    /// <summary>Adds or replaces a vector.</summary>
    /// <param name="key">The key.</param>
    /// <param name="vector">A unit-length vector.</param>
    public void Upsert(TKey key, float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        if (_slots.TryGetValue(key, out var slot))
        {
            _vectors[slot] = vector;
            return;
        }

        _slots[key] = _keys.Count;
        _keys.Add(key);
        _vectors.Add(vector);
    }

    /// <summary>Removes a vector if present.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it was present.</returns>
    public bool Remove(TKey key)
    {
        if (!_slots.Remove(key, out var slot))
        {
            return false;
        }

        var last = _keys.Count - 1;
        if (slot != last)
        {
            _keys[slot] = _keys[last];
            _vectors[slot] = _vectors[last];
            _slots[_keys[slot]] = slot;
        }

        _keys.RemoveAt(last);
        _vectors.RemoveAt(last);
        return true;
    }

    /// <summary>Finds the vectors most similar to a query.</summary>
    /// <param name="query">A unit-length query vector.</param>
    /// <param name="limit">How many results at most.</param>
    /// <param name="filter">Optional predicate a key must pass.</param>
    /// <returns>The results, most similar first; the score is the cosine similarity.</returns>
    public IReadOnlyList<ScoredKey<TKey>> Search(ReadOnlySpan<float> query, int limit, Func<TKey, bool>? filter = null)
    {
        if (limit <= 0 || _keys.Count == 0)
        {
            return [];
        }

        var best = new TopKCollector<TKey>(limit);
        for (var i = 0; i < _keys.Count; i++)
        {
            if (filter is not null && !filter(_keys[i]))
            {
                continue;
            }

            var v = _vectors[i];
            if (v.Length != query.Length)
            {
                throw new InvalidOperationException($"Vector of '{_keys[i]}' has {v.Length} dimensions; the query has {query.Length}.");
            }

            best.Add(new ScoredKey<TKey>(_keys[i], TensorPrimitives.Dot(query, v), i));
        }

        return best.ToSortedList();
    }
}
