using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.VectorShards;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>The <see cref="ITenantIndexGrain"/>: the shard table and the set of agents with pending changes, in the
/// small-state grain storage. It never calls an agent (agents call it), so there is no call cycle.</summary>
public sealed class TenantIndexGrain : Grain, ITenantIndexGrain
{
    /// <summary>The record type of the index's state.</summary>
    public const string TypeName = "tenant-index";

    private readonly IPersistentState<TenantIndexState> _state;
    private readonly TenantIndexOptions _options;

    /// <summary>Creates the grain.</summary>
    /// <param name="state">The table and the pending agents.</param>
    /// <param name="options">The settings; the defaults when none are registered.</param>
    public TenantIndexGrain(
        [PersistentState(TypeName, MemoryFabricSiloOptions.SmallStateStorageName)] IPersistentState<TenantIndexState> state,
        TenantIndexOptions? options = null)
    {
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _options = options ?? new TenantIndexOptions();
        _options.Validate();
    }

    /// <inheritdoc />
    public async Task<ShardTable> GetTableAsync(CancellationToken cancellationToken = default) => await EnsureTableAsync(cancellationToken);

    /// <inheritdoc />
    public async Task MarkPendingAsync(string agent, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(agent);
        await UpdateAsync(state => state.PendingAgents.Add(agent), cancellationToken);
    }

    /// <inheritdoc />
    public async Task MarkFlushedAsync(string agent, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(agent);
        await UpdateAsync(state => state.PendingAgents.Remove(agent), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetPendingAgentsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([.. _state.State.PendingAgents]);

    /// <inheritdoc />
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        var count = Math.Max(_state.State.ShardCount, _options.Shards);
        var table = new ShardTable(this.GetPrimaryKeyString(), Math.Max(1, _state.State.Version), count);
        await Task.WhenAll(table.ShardKeys.Select(k => GrainFactory.GetGrain<IVectorShardGrain>(k).ClearAsync(cancellationToken)));
        await _state.ClearStateAsync(cancellationToken);
        _state.State = new TenantIndexState();
        DeactivateOnIdle();
    }

    private async Task<ShardTable> EnsureTableAsync(CancellationToken cancellationToken)
    {
        await UpdateAsync(
            state =>
            {
                if (state.Version != 0)
                {
                    return false;
                }

                state.Version = 1;
                state.ShardCount = _options.Shards;
                return true;
            },
            cancellationToken);

        return new ShardTable(this.GetPrimaryKeyString(), _state.State.Version, _state.State.ShardCount);
    }

    // Applies a change and stores it; on a version conflict, reloads and applies it again (a few times).
    private async Task UpdateAsync(Func<TenantIndexState, bool> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (!change(_state.State))
            {
                return;
            }

            try
            {
                await _state.WriteStateAsync(cancellationToken);
                return;
            }
            catch (InconsistentStateException) when (attempt < 3)
            {
                await _state.ReadStateAsync(cancellationToken);
            }
        }
    }
}

/// <summary>The stored state of a tenant index.</summary>
/// <remarks>Written with optimistic concurrency: a write that finds another writer's version (an activation that
/// overlapped this one, e.g. while a silo was declared dead) reads the stored state and applies its change again.</remarks>
public sealed class TenantIndexState
{
    /// <summary>The shard table's version; 0 before the table is created.</summary>
    public int Version { get; set; }

    /// <summary>The number of shards.</summary>
    public int ShardCount { get; set; }

    /// <summary>The agents with changes the shards have not acknowledged.</summary>
    public SortedSet<string> PendingAgents { get; set; } = new(StringComparer.Ordinal);
}
