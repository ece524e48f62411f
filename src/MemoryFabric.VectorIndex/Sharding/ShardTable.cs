namespace MemoryFabric.VectorIndex.Sharding;

/// <summary>
/// An immutable routing table: the shards and their routes. A split publishes a new table; the old one disposes the
/// shards it alone referenced once its last reader has finished (readers hold a lease), so a search that started on
/// the old table completes on the old shards and never misses or doubles an item.
/// </summary>
internal sealed class ShardTable
{
    private LeaseCount _leases = new();
    private VectorShard[] _retireOnDrain = [];

    /// <summary>Creates a table.</summary>
    /// <param name="routes">The routes.</param>
    /// <param name="shards">The shards, parallel to <paramref name="routes"/>.</param>
    public ShardTable(ShardRoute[] routes, VectorShard[] shards)
    {
        Routes = routes;
        Shards = shards;
    }

    /// <summary>The routes.</summary>
    public ShardRoute[] Routes { get; }

    /// <summary>The shards.</summary>
    public VectorShard[] Shards { get; }

    /// <summary>The shard a hash routes to.</summary>
    /// <param name="hash">The routing hash.</param>
    /// <param name="baseCount">N.</param>
    /// <returns>The index of the shard.</returns>
    public int Find(ulong hash, int baseCount)
    {
        for (var i = 0; i < Routes.Length; i++)
        {
            if (Routes[i].Covers(hash, baseCount))
            {
                return i;
            }
        }

        throw new InvalidOperationException("No shard covers the key (the routing table is inconsistent).");
    }

    /// <summary>Takes a lease.</summary>
    /// <returns>Whether it was taken (false once the table is retired and drained).</returns>
    public bool TryAcquire() => _leases.TryAcquire();

    /// <summary>Ends a lease; the last one disposes the shards to retire.</summary>
    public void Release()
    {
        if (_leases.Release())
        {
            foreach (var shard in _retireOnDrain)
            {
                shard.Dispose();
            }
        }
    }

    /// <summary>Retires the table (the owner's reference): <paramref name="shards"/> are disposed when it drains.</summary>
    /// <param name="shards">The shards no newer table references.</param>
    public void Retire(VectorShard[] shards)
    {
        _retireOnDrain = shards;
        Release();
    }
}
