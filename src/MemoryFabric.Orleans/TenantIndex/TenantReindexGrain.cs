using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.VectorShards;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>The <see cref="ITenantReindexGrain"/>: the agents are listed from the store's keys (what a tenant deletion
/// purges), a page at a time; the shards are those of the tenant's table.</summary>
[StatelessWorker]
public sealed class TenantReindexGrain : Grain, ITenantReindexGrain
{
    private const int PageSize = 500;

    private readonly IActorStateStore _store;

    /// <summary>Creates the grain.</summary>
    /// <param name="store">Where the agents are stored.</param>
    public TenantReindexGrain(IActorStateStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> BeginAsync(CancellationToken cancellationToken = default)
    {
        if (!(ServiceProvider.GetService<TenantIndexOptions>() ?? new TenantIndexOptions()).Enabled)
        {
            throw new TenantIndexDisabledException();
        }

        var tenant = this.GetPrimaryKeyString();
        var prefix = tenant + "/";
        var agents = new List<string>();
        string? after = null;
        while (true)
        {
            var keys = await _store.ListKeysAsync(AgentMemoryGrain.TypeName, prefix, after, PageSize, cancellationToken);
            agents.AddRange(keys.Select(k => k[prefix.Length..]));
            if (keys.Count < PageSize)
            {
                break;
            }

            after = keys[^1];
        }

        // A split under way finishes first: clearing its source mid-copy would leave its halves with a partial copy.
        var index = GrainFactory.GetGrain<ITenantIndexGrain>(tenant);
        while (await index.GetSplitAsync(cancellationToken) is not null)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }

        var table = await index.GetTableAsync(cancellationToken);
        await Task.WhenAll(table.ShardKeys.Select(k => GrainFactory.GetGrain<IVectorShardGrain>(k).ClearAsync(cancellationToken)));
        return agents;
    }
}
