using MemoryFabric.VectorIndex.Hnsw;

namespace MemoryFabric.VectorIndex.Filtering;

/// <summary>
/// A <see cref="VectorFilter"/> resolved against one shard state: agent and kind names turned into interned ids
/// (a lookup table each), the time range into UTC ticks. Tombstones are rejected too.
/// </summary>
internal readonly struct CompiledFilter : INodeFilter
{
    private readonly ShardState _state;
    private readonly bool[]? _agents;
    private readonly bool[]? _kinds;
    private readonly long _from;
    private readonly long _to;
    private readonly bool _hasTime;

    private CompiledFilter(ShardState state, bool[]? agents, bool[]? kinds, long from, long to, bool hasTime, bool matchesNothing, int upperBound)
    {
        _state = state;
        _agents = agents;
        _kinds = kinds;
        _from = from;
        _to = to;
        _hasTime = hasTime;
        MatchesNothing = matchesNothing;
        UpperBound = upperBound;
    }

    /// <summary>Whether no item can match (e.g. an agent no item ever had).</summary>
    public bool MatchesNothing { get; }

    /// <summary>An upper bound of the matching live items from per-agent and per-kind counts.</summary>
    public int UpperBound { get; }

    /// <summary>Whether the filter has a time range (the only condition not counted exactly).</summary>
    public bool HasTime => _hasTime;

    /// <summary>Whether the filter has agent and kind conditions together (their intersection is not counted).</summary>
    public bool HasBothSets => _agents is not null && _kinds is not null;

    /// <summary>Compiles a filter.</summary>
    /// <param name="state">The state.</param>
    /// <param name="filter">The filter.</param>
    /// <returns>The compiled filter.</returns>
    public static CompiledFilter Compile(ShardState state, VectorFilter filter)
    {
        var live = state.LiveCount;
        var upperBound = live;
        var nothing = false;
        var agents = Resolve(state.Agents, filter.AgentIds, ref upperBound, ref nothing);
        var kinds = Resolve(state.Kinds, filter.Kinds, ref upperBound, ref nothing);
        var from = filter.From?.UtcTicks ?? long.MinValue + 1;
        var to = filter.To?.UtcTicks ?? long.MaxValue;
        var hasTime = filter.From is not null || filter.To is not null;
        if (hasTime && from >= to)
        {
            nothing = true;
        }

        return new CompiledFilter(state, agents, kinds, from, to, hasTime, nothing, nothing ? 0 : Math.Max(0, upperBound));
    }

    /// <inheritdoc />
    public bool Accept(int node)
    {
        if (_state.IsDeleted(node))
        {
            return false;
        }

        ref var meta = ref _state.Meta(node);
        if (_agents is not null && ((uint)meta.Agent >= (uint)_agents.Length || !_agents[meta.Agent]))
        {
            return false;
        }

        if (_kinds is not null && ((uint)meta.Kind >= (uint)_kinds.Length || !_kinds[meta.Kind]))
        {
            return false;
        }

        return !_hasTime || (meta.Ticks != ItemMeta.NoTime && meta.Ticks >= _from && meta.Ticks < _to);
    }

    private static bool[]? Resolve(Storage.StringInterner interner, IReadOnlyCollection<string>? values, ref int upperBound, ref bool nothing)
    {
        if (values is null)
        {
            return null;
        }

        var table = new bool[interner.Count];
        var count = 0;
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            var id = interner.Find(value);
            if (id > 0 && id < table.Length && !table[id])
            {
                table[id] = true;
                count += interner.LiveCount(id);
            }
        }

        if (count == 0)
        {
            nothing = true;
        }

        upperBound = Math.Min(upperBound, count);
        return table;
    }
}

/// <summary>Accepts live nodes (tombstones are traversed but never returned).</summary>
internal readonly struct LiveFilter : INodeFilter
{
    private readonly ShardState _state;

    /// <summary>Creates the filter.</summary>
    /// <param name="state">The state.</param>
    public LiveFilter(ShardState state) => _state = state;

    /// <inheritdoc />
    public bool Accept(int node) => !_state.IsDeleted(node);
}
