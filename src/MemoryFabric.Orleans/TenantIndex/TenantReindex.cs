using MemoryFabric.Orleans.Agents;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>Rebuilds a tenant's vector shards from its agents' memories (<c>memfab admin reindex</c>): the shards are
/// cleared (<see cref="ITenantReindexGrain.BeginAsync"/>), then every agent resets its outbox and ships all its items
/// (<see cref="IAgentVectorOutboxGrain.ReshipVectorOutboxAsync"/>), a few agents at once. The fabric keeps answering
/// meanwhile; a tenant-wide search during the rebuild may miss the agents not yet shipped (an agent's own search is
/// unaffected). Clearing first and shipping after means nothing an agent acknowledged before the clear is left out.</summary>
public static class TenantReindex
{
    /// <summary>How many agents ship at once.</summary>
    public const int AgentsAtOnce = 2;

    /// <summary>Runs the rebuild.</summary>
    /// <param name="grains">Reaches the grains.</param>
    /// <param name="tenant">The tenant (it must exist: the caller checks).</param>
    /// <param name="progress">Told after the shards are cleared and after each agent.</param>
    /// <param name="cancellationToken">Cancels the rebuild between agents (the shards are then partly rebuilt: run it again).</param>
    /// <returns>The final progress.</returns>
    /// <exception cref="TenantIndexDisabledException">The tenant index is off.</exception>
    public static async Task<TenantReindexProgress> RunAsync(IGrainFactory grains, string tenant, Func<TenantReindexProgress, Task> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentNullException.ThrowIfNull(progress);
        var agents = await grains.GetGrain<ITenantReindexGrain>(tenant).BeginAsync(cancellationToken);
        var done = 0;
        long shipped = 0;
        await progress(new TenantReindexProgress(tenant, 0, agents.Count, 0));
        foreach (var batch in agents.Chunk(AgentsAtOnce))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var counts = await Task.WhenAll(batch.Select(a => grains.GetGrain<IAgentVectorOutboxGrain>(tenant + "/" + a).ReshipVectorOutboxAsync(cancellationToken)));
            done += batch.Length;
            shipped += counts.Sum();
            await progress(new TenantReindexProgress(tenant, done, agents.Count, shipped));
        }

        return new TenantReindexProgress(tenant, done, agents.Count, shipped);
    }
}

/// <summary>How far a tenant index rebuild has got.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="AgentsDone">Agents that shipped all their items.</param>
/// <param name="AgentsTotal">The tenant's agents.</param>
/// <param name="ItemsShipped">Vectors shipped so far.</param>
public sealed record TenantReindexProgress(string Tenant, int AgentsDone, int AgentsTotal, long ItemsShipped);
