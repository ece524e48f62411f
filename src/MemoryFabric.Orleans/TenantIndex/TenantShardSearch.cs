using MemoryFabric.Orleans.VectorShards;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>The fan-out of a tenant-wide vector search: every shard of the tenant's table searched in parallel, the
/// top k of their hits merged (best score first; ties by key, so the order is the same on every run). A shard
/// retired by a split answers through its halves, so a table read just before a split still finds every item.</summary>
public static class TenantShardSearch
{
    /// <summary>Searches every shard of a table and merges the hits.</summary>
    /// <param name="grains">Reaches the shard grains.</param>
    /// <param name="table">The tenant's shard table (its keys name only that tenant's shards).</param>
    /// <param name="query">The query vector.</param>
    /// <param name="k">How many hits, at most.</param>
    /// <param name="filter">Agents, kinds and a time range, or none.</param>
    /// <param name="efSearch">The shards' HNSW candidate-list size, or their default.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The merged top k.</returns>
    public static async Task<List<VectorShardHit>> SearchAsync(
        IGrainFactory grains, ShardTable table, float[] query, int k, VectorShardFilter? filter = null, int? efSearch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var shards = await Task.WhenAll(table.ShardKeys.Select(key =>
        {
            var shard = grains.GetGrain<IVectorShardGrain>(key);
            return efSearch is { } ef ? shard.SearchAsync(query, k, ef, filter, cancellationToken) : shard.SearchAsync(query, k, filter, cancellationToken);
        })).ConfigureAwait(false);
        return Merge(shards, k);
    }

    /// <summary>Merges the hits of several shards: the top k, best score first (ties by key), each key once (a key two
    /// shards answer for, as a split's source and half may, keeps its best score).</summary>
    /// <param name="shards">Each shard's hits.</param>
    /// <param name="k">How many hits, at most.</param>
    /// <returns>The merged top k.</returns>
    public static List<VectorShardHit> Merge(IEnumerable<IReadOnlyList<VectorShardHit>> shards, int k)
    {
        ArgumentNullException.ThrowIfNull(shards);
        return [.. shards.SelectMany(h => h).OrderByDescending(h => h.Score).ThenBy(h => h.Key, StringComparer.Ordinal).DistinctBy(h => h.Key, StringComparer.Ordinal).Take(k)];
    }
}
