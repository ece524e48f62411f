using MemoryFabric.Persistence;
using MemoryFabric.VectorIndex;

namespace MemoryFabric.Retrieval;

/// <summary>
/// The engine's dense candidate source: exact search (<see cref="ExactVectorIndex{TKey}"/>) while the level holds
/// fewer than <see cref="RetrievalOptions.ApproximateSearchThreshold"/> vectors, then an HNSW
/// <see cref="VectorShard"/> (int8 traversal, exact re-ranking) built from them and kept in step from there on.
/// Not thread-safe: the owning actor gives it one call at a time.
/// </summary>
/// <remarks>A snapshot restore hands it the stored vectors undecoded (<see cref="LoadDeferred"/>): they are decoded
/// and indexed by the first call that needs them as arrays (a write, <see cref="Items"/>, or a search once the level
/// is large enough for HNSW); <see cref="Count"/>, <see cref="Dimensions"/> and <see cref="Contains"/> answer without
/// decoding, and an exact search scans the stored records, one vector at a time through a buffer: the same scores and
/// order as over the decoded arrays, without allocating them (an agent that is only searched never decodes).</remarks>
public sealed class TieredVectorIndex
{
    private readonly int _threshold;
    private readonly int _efSearch;
    private ExactVectorIndex<string> _exact = new();
    private VectorShard? _shard;
    private EncodedVectors? _deferred;

    /// <summary>Creates an empty index.</summary>
    /// <param name="threshold">The number of vectors at which search turns approximate.</param>
    /// <param name="efSearch">HNSW's candidate-list size once approximate.</param>
    public TieredVectorIndex(int threshold, int efSearch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threshold);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(efSearch);
        _threshold = threshold;
        _efSearch = efSearch;
    }

    /// <summary>The number of vectors.</summary>
    public int Count => _deferred?.Count ?? _shard?.Count ?? _exact.Count;

    /// <summary>Whether search has turned approximate (HNSW).</summary>
    public bool IsApproximate => _deferred is { } deferred ? deferred.Count >= _threshold : _shard is not null;

    /// <summary>The dimension of the indexed vectors (0 when empty).</summary>
    public int Dimensions => _deferred?.Dimensions ?? _shard?.Dimensions ?? (_exact.Count == 0 ? 0 : _exact.Items.First().Vector.Length);

    /// <summary>The keys and vectors, in insertion (slot) order.</summary>
    public IEnumerable<(string Key, float[] Vector)> Items
    {
        get
        {
            Materialize();
            return _shard is null ? _exact.Items : _shard.EnumerateItems().Select(i => (i.Key, i.Vector));
        }
    }

    /// <summary>The keys and vectors, in insertion (slot) order, without building the index: vectors a restore left
    /// stored (<see cref="LoadDeferred"/>) are decoded one at a time into fresh arrays and stay stored: the floats
    /// <see cref="Items"/> would hold (an HNSW level holds them normalized: the same directions and int8 codes). For a reader that only compares or copies them (a mirror's
    /// difference, an offload), which must not pay for an HNSW graph it never searches.</summary>
    /// <returns>The keys and vectors (enumerate before the index changes).</returns>
    public IEnumerable<(string Key, float[] Vector)> EnumerateVectors()
    {
        if (_deferred is not { } deferred)
        {
            return Items;
        }

        return Decoded(deferred);

        static IEnumerable<(string Key, float[] Vector)> Decoded(EncodedVectors vectors)
        {
            for (var i = 0; i < vectors.Count; i++)
            {
                yield return (vectors.Keys[i], vectors.Decode(i));
            }
        }
    }

    /// <summary>The stored vectors a restore loaded, while not yet decoded (nothing has changed since): a snapshot
    /// writes them back as they are. <see langword="null"/> once decoded.</summary>
    internal EncodedVectors? Deferred => _deferred;

    /// <summary>Whether a key is indexed.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Contains(string key) => _deferred?.Contains(key) ?? _shard?.Contains(key) ?? _exact.Contains(key);

    /// <summary>Removes every vector; search is exact again.</summary>
    public void Clear()
    {
        _deferred = null;
        _shard?.Dispose();
        _shard = null;
        _exact = new ExactVectorIndex<string>();
    }

    /// <summary>Adds or replaces a vector.</summary>
    /// <param name="key">The key.</param>
    /// <param name="vector">A unit-length vector.</param>
    public void Upsert(string key, float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        Materialize();
        if (_shard is not null)
        {
            _shard.Upsert(key, vector);
            return;
        }

        _exact.Upsert(key, vector);
        if (_exact.Count >= _threshold)
        {
            Promote(vector.Length);
        }
    }

    /// <summary>Removes a vector if present; the HNSW shard compacts itself once tombstones pile up.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it was present.</returns>
    public bool Remove(string key)
    {
        Materialize();
        if (_shard is null)
        {
            return _exact.Remove(key);
        }

        var removed = _shard.Delete(key);
        if (removed && _shard.NeedsCompaction)
        {
            _shard.Compact();
        }

        return removed;
    }

    /// <summary>Finds the vectors most similar to a query.</summary>
    /// <param name="query">A unit-length query vector.</param>
    /// <param name="limit">How many results at most.</param>
    /// <returns>The results, most similar first; the score is the cosine similarity.</returns>
    public IReadOnlyList<ScoredKey<string>> Search(ReadOnlySpan<float> query, int limit)
    {
        if (_deferred is { } deferred && deferred.Count < _threshold)
        {
            return SearchStored(deferred, query, limit);
        }

        Materialize();
        if (_shard is null)
        {
            return _exact.Search(query, limit);
        }

        if (limit <= 0)
        {
            return [];
        }

        var hits = _shard.Search(query, limit, efSearch: Math.Max(_efSearch, limit));
        var results = new ScoredKey<string>[hits.Count];
        for (var i = 0; i < hits.Count; i++)
        {
            results[i] = new ScoredKey<string>(hits[i].Key, hits[i].Score, i);
        }

        return results;
    }

    /// <summary>Takes a restored snapshot's vectors without decoding them; the first call that needs them decodes
    /// and indexes them all (as <see cref="Upsert"/> would, in their order).</summary>
    /// <param name="vectors">The vectors (distinct keys).</param>
    /// <exception cref="InvalidOperationException">The index is not empty.</exception>
    internal void LoadDeferred(EncodedVectors vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (Count != 0)
        {
            throw new InvalidOperationException("Deferred vectors can only be loaded into an empty index.");
        }

        _deferred = vectors.Count == 0 ? null : vectors;
    }

    // Exact search over stored records, as ExactVectorIndex.Search over the vectors Materialize would decode: the same
    // slots (the records' order), the same floats (decoded the same way), the same dot products.
    private static IReadOnlyList<ScoredKey<string>> SearchStored(EncodedVectors vectors, ReadOnlySpan<float> query, int limit)
    {
        if (limit <= 0)
        {
            return [];
        }

        var keys = vectors.Keys;
        if (vectors.Dimensions != query.Length)
        {
            throw new InvalidOperationException($"Vector of '{keys[0]}' has {vectors.Dimensions} dimensions; the query has {query.Length}.");
        }

        var best = new TopKCollector<string>(limit);
        var buffer = vectors.Dimensions <= 2048 ? stackalloc float[vectors.Dimensions] : new float[vectors.Dimensions];
        for (var i = 0; i < keys.Count; i++)
        {
            vectors.Decode(i, buffer);
            best.Add(new ScoredKey<string>(keys[i], System.Numerics.Tensors.TensorPrimitives.Dot(query, buffer), i));
        }

        return best.ToSortedList();
    }

    private void Materialize()
    {
        if (_deferred is not { } vectors)
        {
            return;
        }

        _deferred = null;
        var keys = vectors.Keys;
        for (var i = 0; i < keys.Count; i++)
        {
            Upsert(keys[i], vectors.Decode(i));
        }
    }

    private void Promote(int dimensions)
    {
        var shard = new VectorShard(new VectorShardOptions
        {
            Dimensions = dimensions,
            VectorStorage = VectorStorage.InMemory, // the agent's memory lives in its process; no side file
            EfSearch = _efSearch,
        });
        foreach (var (key, vector) in _exact.Items)
        {
            shard.Upsert(key, vector);
        }

        _shard = shard;
        _exact = new ExactVectorIndex<string>();
    }
}
