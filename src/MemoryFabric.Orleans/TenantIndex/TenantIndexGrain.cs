using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.VectorShards;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>The <see cref="ITenantIndexGrain"/>: the shard table, the split under way and the set of agents with pending
/// changes, in the small-state storage. It never calls an agent, and calls shards only to clear a deleted tenant's
/// (agents and shards call it, shards one-way; the splits run in <see cref="ITenantShardSplitGrain"/>), so there is no
/// call cycle and no request waits for a split.</summary>
public sealed class TenantIndexGrain : Grain, ITenantIndexGrain
{
    /// <summary>The record type of the index's state.</summary>
    public const string TypeName = "tenant-index";

    private readonly IPersistentState<TenantIndexState> _state;
    private readonly TenantIndexOptions _options;
    private readonly ILogger _logger;
    private readonly SortedSet<string> _deferred = new(StringComparer.Ordinal); // shards past the threshold that reported during a split
    private ShardTable? _table;

    /// <summary>Creates the grain.</summary>
    /// <param name="state">The table and the pending agents.</param>
    /// <param name="options">The settings; the defaults when none are registered.</param>
    /// <param name="logger">A logger.</param>
    public TenantIndexGrain(
        [PersistentState(TypeName, MemoryFabricSiloOptions.SmallStateStorageName)] IPersistentState<TenantIndexState> state,
        TenantIndexOptions? options = null,
        ILogger<TenantIndexGrain>? logger = null)
    {
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _options = options ?? new TenantIndexOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_state.State.Split is not null)
        {
            ResumeSplit(); // a split the last activation left under way goes on
        }

        return Task.CompletedTask;
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
    public async Task ReportShardSizeAsync(string shardKey, int count)
    {
        ArgumentException.ThrowIfNullOrEmpty(shardKey);
        if (_options.ShardSplitThreshold > 0 && count >= _options.ShardSplitThreshold)
        {
            var table = await EnsureTableAsync(CancellationToken.None);
            if (!table.ShardKeys.Contains(shardKey, StringComparer.Ordinal))
            {
                return;
            }

            if (!await StartSplitAsync(table, shardKey, CancellationToken.None))
            {
                _deferred.Add(shardKey); // split when the one under way is done
            }
            else if (_logger.IsEnabled(LogLevel.Information))
            {
                _logger.LogInformation("Splitting vector shard {Shard} of tenant {Tenant}: {Count} items (threshold {Threshold})", shardKey, table.Tenant, count, _options.ShardSplitThreshold);
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool> SplitAsync(string shardKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(shardKey);
        var table = await EnsureTableAsync(cancellationToken);
        if (!table.ShardKeys.Contains(shardKey, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Tenant {table.Tenant} has no vector shard '{shardKey}' (its shards: {string.Join(", ", table.ShardKeys)}).", nameof(shardKey));
        }

        return await StartSplitAsync(table, shardKey, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<TenantShardSplit?> GetSplitAsync(CancellationToken cancellationToken = default)
    {
        var table = await EnsureTableAsync(cancellationToken);
        if (_state.State.Split is not { } split)
        {
            return null;
        }

        var (low, high) = split.Source.Halves(table.BaseShards);
        return new TenantShardSplit(
            table,
            split.Source,
            table.KeyOf(split.Source),
            new VectorShardSplit(table.BaseShards, low, table.KeyOf(low), high, table.KeyOf(high)),
            split.Committed);
    }

    /// <inheritdoc />
    public async Task<ShardTable> CommitSplitAsync(ShardRange source, CancellationToken cancellationToken = default)
    {
        var table = await EnsureTableAsync(cancellationToken);
        if (_state.State.Split is not { } split || split.Source != source)
        {
            throw new InvalidOperationException($"Tenant {table.Tenant} is not splitting shard {table.KeyOf(source)}.");
        }

        if (!split.Committed)
        {
            var next = table.Split(source);
            await UpdateAsync(
                state =>
                {
                    state.Shards = [.. next.Shards];
                    state.Version = next.Version;
                    state.Split!.Committed = true;
                    return true;
                },
                cancellationToken);
            _table = null;
        }

        return await EnsureTableAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task CompleteSplitAsync(ShardRange source, CancellationToken cancellationToken = default)
    {
        var table = await EnsureTableAsync(cancellationToken);
        if (_state.State.Split is { Committed: true } split && split.Source == source)
        {
            var key = table.KeyOf(source);
            await UpdateAsync(
                state =>
                {
                    state.Split = null;
                    if (!state.Retired.Contains(key))
                    {
                        state.Retired.Add(key);
                    }

                    return true;
                },
                cancellationToken);
        }

        // The next shard that reported while this split ran (a shard reports only after a write, so its report is kept).
        var current = await EnsureTableAsync(cancellationToken);
        while (_state.State.Split is null && _deferred.Min is { } next)
        {
            _deferred.Remove(next);
            if (current.ShardKeys.Contains(next, StringComparer.Ordinal))
            {
                await StartSplitAsync(current, next, cancellationToken);
            }
        }
    }

    /// <inheritdoc />
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        // Every shard the tenant has or had: the table's, a split's halves, the retired sources (their split state).
        var state = _state.State;
        var table = state.Version == 0 ? new ShardTable(this.GetPrimaryKeyString(), 1, _options.Shards) : Table();
        var keys = new SortedSet<string>(table.ShardKeys, StringComparer.Ordinal);
        keys.UnionWith(state.Retired);
        if (state.Split is { } split)
        {
            var (low, high) = split.Source.Halves(table.BaseShards);
            keys.UnionWith([table.KeyOf(split.Source), table.KeyOf(low), table.KeyOf(high)]);
        }

        await Task.WhenAll(keys.Select(k => GrainFactory.GetGrain<IVectorShardGrain>(k).ClearAsync(cancellationToken)));
        await _state.ClearStateAsync(cancellationToken);
        _state.State = new TenantIndexState();
        _table = null;
        DeactivateOnIdle();
    }

    private async Task<bool> StartSplitAsync(ShardTable table, string shardKey, CancellationToken cancellationToken)
    {
        if (_state.State.Split is not null)
        {
            return false;
        }

        var source = table.Shards[table.ShardKeys.ToList().IndexOf(shardKey)];
        await UpdateAsync(
            state =>
            {
                if (state.Split is not null)
                {
                    return false;
                }

                state.Split = new TenantIndexSplitState { Source = source };
                return true;
            },
            cancellationToken);
        if (_state.State.Split?.Source != source)
        {
            return false;
        }

        ResumeSplit();
        return true;
    }

    // Wakes the tenant's split runner (one-way: it runs in the background and calls back for the steps).
    private void ResumeSplit() => _ = GrainFactory.GetGrain<ITenantShardSplitGrain>(this.GetPrimaryKeyString()).RunAsync();

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

        return Table();
    }

    private ShardTable Table()
    {
        var state = _state.State;
        return _table is { } table && table.Version == state.Version
            ? table
            : _table = new ShardTable(this.GetPrimaryKeyString(), state.Version, state.ShardCount, state.Shards);
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
                _table = null;
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

    /// <summary>The number of shards the table started with (its N).</summary>
    public int ShardCount { get; set; }

    /// <summary>The shards once one was split; <see langword="null"/> while the table is the unsplit N.</summary>
    public List<ShardRange>? Shards { get; set; }

    /// <summary>The split under way, if any.</summary>
    public TenantIndexSplitState? Split { get; set; }

    /// <summary>The grain keys of shards retired by splits (they hold nothing but their split state).</summary>
    public List<string> Retired { get; set; } = [];

    /// <summary>The agents with changes the shards have not acknowledged.</summary>
    public SortedSet<string> PendingAgents { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A split under way, as stored.</summary>
public sealed class TenantIndexSplitState
{
    /// <summary>The shard being split.</summary>
    public ShardRange Source { get; set; }

    /// <summary>Whether the table names the halves already.</summary>
    public bool Committed { get; set; }
}
