namespace MemoryFabric.VectorIndex;

/// <summary>
/// Restricts a search to the items whose metadata matches: every condition that is set must hold (an agent among
/// <see cref="AgentIds"/>, a kind among <see cref="Kinds"/>, a timestamp in [<see cref="From"/>, <see cref="To"/>)).
/// Items without a timestamp never match a time range. A search with a filter stays exact when the filter is selective:
/// below <see cref="VectorShardOptions.FilterExactScanRatio"/> or <see cref="VectorShardOptions.FilterExactScanMaxMatches"/>
/// estimated matches the shard scans the matching items instead of walking the graph.
/// </summary>
public sealed record VectorFilter
{
    /// <summary>The agents to keep (any of them); all agents when <see langword="null"/>.</summary>
    public IReadOnlyCollection<string>? AgentIds { get; init; }

    /// <summary>The kinds to keep (any of them); all kinds when <see langword="null"/>.</summary>
    public IReadOnlyCollection<string>? Kinds { get; init; }

    /// <summary>The earliest timestamp to keep (inclusive); no lower bound when <see langword="null"/>.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>The timestamp to keep items before (exclusive); no upper bound when <see langword="null"/>.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Whether the filter has no condition (it matches every item).</summary>
    public bool IsEmpty => AgentIds is null && Kinds is null && From is null && To is null;

    /// <summary>A filter on one agent.</summary>
    /// <param name="agentId">The agent.</param>
    /// <returns>The filter.</returns>
    public static VectorFilter ForAgent(string agentId)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        return new VectorFilter { AgentIds = [agentId] };
    }

    /// <summary>Whether metadata matches the filter (the reference semantics the index implements).</summary>
    /// <param name="metadata">The metadata.</param>
    /// <returns>Whether it matches.</returns>
    public bool Matches(VectorItemMetadata metadata)
    {
        if (AgentIds is not null && (metadata.AgentId is null || !AgentIds.Contains(metadata.AgentId)))
        {
            return false;
        }

        if (Kinds is not null && (metadata.Kind is null || !Kinds.Contains(metadata.Kind)))
        {
            return false;
        }

        if (From is not null || To is not null)
        {
            if (metadata.Timestamp is not { } time)
            {
                return false;
            }

            if ((From is { } from && time.UtcTicks < from.UtcTicks) || (To is { } to && time.UtcTicks >= to.UtcTicks))
            {
                return false;
            }
        }

        return true;
    }
}
