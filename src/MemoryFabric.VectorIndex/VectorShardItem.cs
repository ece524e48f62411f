namespace MemoryFabric.VectorIndex;

/// <summary>A live item of a shard, as enumerated by <see cref="VectorShard.EnumerateItems"/>.</summary>
/// <param name="Key">The key.</param>
/// <param name="Vector">The stored float32 vector (normalized when the metric is <see cref="VectorMetric.Cosine"/>).</param>
/// <param name="Metadata">The metadata.</param>
public sealed record VectorShardItem(string Key, float[] Vector, VectorItemMetadata Metadata);
