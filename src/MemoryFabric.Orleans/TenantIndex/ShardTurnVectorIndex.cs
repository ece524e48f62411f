using MemoryFabric.Retrieval;
using MemoryFabric.Retrieval.Offloading;
using MemoryFabric.Orleans.VectorShards;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>
/// A large agent's offloaded turn vectors, searched in its tenant's vector shards (<see cref="IOffloadedVectorIndex"/>):
/// every shard of the tenant's table, filtered to the agent's turns, the hits merged. The table is read from the
/// tenant index and kept for <see cref="TableLifetime"/>; a shard retired by a split meanwhile answers through its
/// halves, so an older table still finds every item. A search that fails is logged (a warning, with the error) before
/// it is thrown: the agent then answers degraded (<see cref="OffloadedTurnVectors.UnavailableReason"/>), and the log
/// says why.
/// </summary>
public sealed partial class ShardTurnVectorIndex : IOffloadedVectorIndex
{
    /// <summary>How long a read shard table is used before it is read again (10 s).</summary>
    public static readonly TimeSpan TableLifetime = TimeSpan.FromSeconds(10);

    private readonly IGrainFactory _grains;
    private readonly string _tenant;
    private readonly string _agent;
    private readonly TimeProvider _time;
    private readonly VectorShardFilter _filter;
    private readonly int _efSearch;
    private readonly ILogger _logger;
    private ShardTable? _table;
    private long _tableRead;

    /// <summary>Creates the index of agent <c>{tenant}/{agent}</c>.</summary>
    /// <param name="grains">Reaches the tenant index and the shards.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="agent">The agent's name.</param>
    /// <param name="time">The clock (the table's age).</param>
    /// <param name="efSearch">The shards' HNSW candidate-list size (<see cref="TenantIndexOptions.LargeAgentEfSearch"/>).</param>
    /// <param name="logger">Where failed searches are logged; none when <see langword="null"/>.</param>
    public ShardTurnVectorIndex(IGrainFactory grains, string tenant, string agent, TimeProvider time, int efSearch, ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        ArgumentOutOfRangeException.ThrowIfLessThan(efSearch, 1);
        _efSearch = efSearch;
        _grains = grains ?? throw new ArgumentNullException(nameof(grains));
        _tenant = tenant ?? throw new ArgumentNullException(nameof(tenant));
        _agent = agent ?? throw new ArgumentNullException(nameof(agent));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _filter = new VectorShardFilter(AgentIds: [agent], Kinds: [ShardTable.KindName(MemoryItemKind.Turn)]);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ScoredKey<string>>> SearchTurnsAsync(float[] query, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (limit <= 0)
        {
            return [];
        }

        IReadOnlyList<VectorShardHit> hits;
        try
        {
            if (_table is null || _time.GetElapsedTime(_tableRead) > TableLifetime)
            {
                _table = await _grains.GetGrain<ITenantIndexGrain>(_tenant).GetTableAsync(cancellationToken);
                _tableRead = _time.GetTimestamp();
            }

            hits = await TenantShardSearch.SearchAsync(_grains, _table, query, limit, _filter, _efSearch, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogSearchFailed(_logger, e, _tenant, _agent);
            throw;
        }

        var turns = new List<ScoredKey<string>>(hits.Count);
        foreach (var hit in hits)
        {
            if (ShardTable.TryParseItemKey(hit.Key, out var key) && key.Agent == _agent && key.Kind == MemoryItemKind.Turn)
            {
                turns.Add(new ScoredKey<string>(key.Id, hit.Score, turns.Count));
            }
        }

        return turns;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The vector shards of tenant {Tenant} did not answer agent {Agent}'s search of its offloaded turns; it answers degraded")]
    private static partial void LogSearchFailed(ILogger logger, Exception exception, string tenant, string agent);
}
