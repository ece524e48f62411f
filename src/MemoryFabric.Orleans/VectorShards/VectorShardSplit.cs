using MemoryFabric.Orleans.TenantIndex;

namespace MemoryFabric.Orleans.VectorShards;

/// <summary>A split of a vector shard into two new shards (the halves of its routing range; see
/// <see cref="ShardTable"/>). While it runs, the shard applies every change and forwards the change to the half its key
/// routes to; its items are copied to the halves; once the tenant's table names the halves, the shard is retired.</summary>
/// <param name="BaseShards">The table's N (the routing hash's base modulus).</param>
/// <param name="Low">The half that keeps the shard's id.</param>
/// <param name="LowKey">Its grain key.</param>
/// <param name="High">The other half.</param>
/// <param name="HighKey">Its grain key.</param>
[GenerateSerializer]
[Alias("memoryfabric.vectorshard.split")]
public sealed record VectorShardSplit(
    [property: Id(0)] int BaseShards,
    [property: Id(1)] ShardRange Low,
    [property: Id(2)] string LowKey,
    [property: Id(3)] ShardRange High,
    [property: Id(4)] string HighKey)
{
    /// <summary>The grain key of the half an item key routes to.</summary>
    /// <param name="itemKey">The item key.</param>
    /// <returns>The half's grain key.</returns>
    public string HalfOf(string itemKey) => Low.Covers(ShardTable.RoutingHash(itemKey, BaseShards), BaseShards) ? LowKey : HighKey;
}

/// <summary>A step of a split's copy (<see cref="IVectorShardGrain.CopySplitAsync"/>).</summary>
/// <param name="Next">The last key copied, to pass to the next step; <see langword="null"/> when the copy is done.</param>
/// <param name="Copied">Items this step copied.</param>
/// <param name="Position">Keys gone through so far, of <paramref name="Total"/>.</param>
/// <param name="Total">The keys the source held when this activation began the copy.</param>
[GenerateSerializer]
[Alias("memoryfabric.vectorshard.copystep")]
public sealed record VectorShardCopyStep([property: Id(0)] string? Next, [property: Id(1)] int Copied, [property: Id(2)] int Position, [property: Id(3)] int Total);

/// <summary>The stored split state of a vector shard (small-state storage): the split it is part of as the source, and
/// whether it is retired (its items live in the halves; it refuses changes and answers searches through them).</summary>
public sealed class VectorShardSplitState
{
    /// <summary>The split, or none.</summary>
    public VectorShardSplit? Split { get; set; }

    /// <summary>Whether the split finished: the shard holds nothing and its table no longer names it.</summary>
    public bool Retired { get; set; }
}

/// <summary>A change reached a vector shard that was split and retired: the caller's shard table is out of date. Read
/// the tenant's table again and route the change anew (nothing was applied).</summary>
[GenerateSerializer]
[Alias("memoryfabric.vectorshard.moved")]
public sealed class ShardMovedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ShardMovedException()
        : base("The vector shard was split: read the tenant's shard table again.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ShardMovedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ShardMovedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
