using MemoryFabric.Orleans.VectorShards;
using Orleans.Concurrency;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>A tenant's vector index (key: the tenant): its shard table, and which agents have changes their outbox
/// has not yet shipped to the shards (so a tenant-wide search can flush them first: read-after-write at 0 ms).</summary>
/// <remarks>A grain of its own rather than a part of <see cref="Tenants.ITenantDirectoryGrain"/>: the directory is one
/// activation for every tenant (API keys), while this one is called by the tenant's agents on the write path, so it
/// must scale per tenant; its key is the tenant, so one tenant's index never sees another's agents.</remarks>
[Alias("memoryfabric.tenantindex")]
public interface ITenantIndexGrain : IGrainWithStringKey
{
    /// <summary>The shard table (created with <see cref="TenantIndexOptions.Shards"/> shards on first use).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The table.</returns>
    [Alias("table")]
    Task<ShardTable> GetTableAsync(CancellationToken cancellationToken = default);

    /// <summary>Records that an agent has changes not yet acknowledged by the shards (durable when the task
    /// completes; the agent calls it before it acknowledges the write that made them).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    [Alias("pending")]
    Task MarkPendingAsync(string agent, CancellationToken cancellationToken = default);

    /// <summary>Records that the shards acknowledged everything the agent had (or that it was purged).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    [Alias("flushed")]
    Task MarkFlushedAsync(string agent, CancellationToken cancellationToken = default);

    /// <summary>The agents with changes not yet acknowledged by the shards.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Their names.</returns>
    [Alias("pending-agents")]
    Task<IReadOnlyList<string>> GetPendingAgentsAsync(CancellationToken cancellationToken = default);

    /// <summary>A shard tells its index how many items it holds, once it has passed
    /// <see cref="TenantIndexOptions.ShardSplitThreshold"/>: the index starts splitting it unless a split is under way
    /// (one at a time per tenant; the shard reports again later). One-way: the shard does not wait.</summary>
    /// <param name="shardKey">The shard's grain key.</param>
    /// <param name="count">Its live items.</param>
    /// <returns>A task.</returns>
    [OneWay]
    [Alias("shard-size")]
    Task ReportShardSizeAsync(string shardKey, int count);

    /// <summary>Starts splitting a shard now, whatever its size (an operator's rebalance, tests). The split runs in the
    /// background (<see cref="ITenantShardSplitGrain"/>); <see cref="GetSplitAsync"/> says when it is done.</summary>
    /// <param name="shardKey">The shard's grain key (one of the table's).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it started (<see langword="false"/>: another split is under way).</returns>
    /// <exception cref="ArgumentException">The table has no such shard.</exception>
    [Alias("split")]
    Task<bool> SplitAsync(string shardKey, CancellationToken cancellationToken = default);

    /// <summary>The split under way, if any.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The split, or <see langword="null"/>.</returns>
    [Alias("split-get")]
    Task<TenantShardSplit?> GetSplitAsync(CancellationToken cancellationToken = default);

    /// <summary>Publishes the table without the split's source and with its halves (the halves hold every item).</summary>
    /// <param name="source">The split's source.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new table.</returns>
    [Alias("split-commit")]
    Task<ShardTable> CommitSplitAsync(ShardRange source, CancellationToken cancellationToken = default);

    /// <summary>Records that the split's source is retired: the split is over.</summary>
    /// <param name="source">The split's source.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    [Alias("split-complete")]
    Task CompleteSplitAsync(ShardRange source, CancellationToken cancellationToken = default);

    /// <summary>Removes every shard of the tenant and this index's own state, for good (a deleted tenant).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    [Alias("clear")]
    Task ClearAsync(CancellationToken cancellationToken = default);
}

/// <summary>A split of one of a tenant's shards, as its index records it.</summary>
/// <param name="Table">The table now (without the halves until <paramref name="Committed"/>).</param>
/// <param name="Source">The shard being split.</param>
/// <param name="SourceKey">Its grain key.</param>
/// <param name="Plan">The halves.</param>
/// <param name="Committed">Whether the table names the halves already (only the source's retirement is left).</param>
[GenerateSerializer]
[Alias("memoryfabric.tenantindex.split")]
public sealed record TenantShardSplit(
    [property: Id(0)] ShardTable Table,
    [property: Id(1)] ShardRange Source,
    [property: Id(2)] string SourceKey,
    [property: Id(3)] VectorShardSplit Plan,
    [property: Id(4)] bool Committed);
