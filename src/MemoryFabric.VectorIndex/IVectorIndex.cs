namespace MemoryFabric.VectorIndex;

/// <summary>
/// What the engine needs from a dense candidate source: string keys, vectors, metadata, and a top-k search by score.
/// Implemented by <see cref="VectorShard"/> (one shard) and <see cref="ShardedIndex"/> (many). Single writer, many
/// concurrent readers.
/// </summary>
public interface IVectorIndex : IDisposable
{
    /// <summary>The number of live items.</summary>
    int Count { get; }

    /// <summary>Adds an item or replaces the item with the same key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="vector">The vector (normalized here when the metric is cosine).</param>
    /// <param name="metadata">What filters can select the item by.</param>
    void Upsert(string key, ReadOnlySpan<float> vector, VectorItemMetadata metadata = default);

    /// <summary>Deletes an item.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it existed.</returns>
    bool Delete(string key);

    /// <summary>Whether a live item has the key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it does.</returns>
    bool Contains(string key);

    /// <summary>The <paramref name="k"/> most similar items, best first, with exact scores.</summary>
    /// <param name="query">The query.</param>
    /// <param name="k">The number of results.</param>
    /// <param name="filter">Metadata conditions, or <see langword="null"/>.</param>
    /// <param name="efSearch">The beam width, or the configured default.</param>
    /// <returns>The hits by score descending.</returns>
    IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, VectorFilter? filter = null, int? efSearch = null);

    /// <summary>The exact <paramref name="k"/> most similar items (a scan).</summary>
    /// <param name="query">The query.</param>
    /// <param name="k">The number of results.</param>
    /// <param name="filter">Metadata conditions, or <see langword="null"/>.</param>
    /// <returns>The hits by score descending.</returns>
    IReadOnlyList<VectorHit> SearchExact(ReadOnlySpan<float> query, int k, VectorFilter? filter = null);
}
