namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>The first step of a tenant index rebuild (<see cref="TenantReindex"/>), keyed by the tenant: lists the
/// tenant's stored agents and clears the tenant's vector shards (the shard table stays). Each agent then ships all its
/// items again (<see cref="Agents.IAgentVectorOutboxGrain.ReshipVectorOutboxAsync"/>).</summary>
[Alias("memoryfabric.tenantindex.reindex")]
public interface ITenantReindexGrain : IGrainWithStringKey
{
    /// <summary>Lists the tenant's stored agents, then clears its shards.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The agents' names, in ordinal order.</returns>
    /// <exception cref="TenantIndexDisabledException">The tenant index is off.</exception>
    [Alias("begin")]
    Task<IReadOnlyList<string>> BeginAsync(CancellationToken cancellationToken = default);
}
