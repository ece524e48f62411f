namespace MemoryFabric.VectorIndex;

/// <summary>One shard of a <see cref="ShardedIndex"/>.</summary>
/// <param name="Name">The shard's name: <c>{base}</c> for an initial shard, with one binary digit appended per split
/// (e.g. <c>2.01</c>: base shard 2, split twice, low half then high half).</param>
/// <param name="Count">Its live items.</param>
/// <param name="TombstoneCount">Its tombstones.</param>
public sealed record ShardInfo(string Name, int Count, int TombstoneCount);
