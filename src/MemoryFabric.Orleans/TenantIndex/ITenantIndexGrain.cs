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

    /// <summary>Removes every shard of the tenant and this index's own state, for good (a deleted tenant).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    [Alias("clear")]
    Task ClearAsync(CancellationToken cancellationToken = default);
}
