namespace MemoryFabric.VectorIndex;

/// <summary>The configuration of a <see cref="ShardedIndex"/>.</summary>
public sealed record ShardedIndexOptions
{
    /// <summary>The options of every shard.</summary>
    public required VectorShardOptions Shard { get; init; }

    /// <summary>The number of shards to start with (keys are routed by a stable hash). 1 by default.</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>A shard whose live items pass this number is split in two. 1,000,000 by default.</summary>
    public int SplitThreshold { get; init; } = 1_000_000;

    /// <summary>Whether an upsert that takes a shard past <see cref="SplitThreshold"/> splits it right away (the
    /// upsert then takes as long as rebuilding the shard). When <see langword="false"/>, call
    /// <see cref="ShardedIndex.Maintain"/> (e.g. from a consolidation reminder). <see langword="true"/> by default.</summary>
    public bool AutoSplit { get; init; } = true;

    /// <summary>The most shards searched at once. The processor count by default.</summary>
    public int MaxSearchParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Shard);
        Shard.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(ShardCount, 1, nameof(ShardCount));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ShardCount, 4096, nameof(ShardCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(SplitThreshold, 2, nameof(SplitThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSearchParallelism, 1, nameof(MaxSearchParallelism));
    }
}
