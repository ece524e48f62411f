namespace MemoryFabric.VectorIndex;

/// <summary>What a filter can select an item by.</summary>
/// <param name="AgentId">The agent (or user) the item belongs to; <see langword="null"/> for none.</param>
/// <param name="Kind">The item's kind (e.g. <c>note</c>, <c>episode</c>, <c>turn</c>); <see langword="null"/> for
/// none.</param>
/// <param name="Timestamp">When the item happened (kept to the tick, in UTC); <see langword="null"/> for none.</param>
public readonly record struct VectorItemMetadata(string? AgentId = null, string? Kind = null, DateTimeOffset? Timestamp = null);
