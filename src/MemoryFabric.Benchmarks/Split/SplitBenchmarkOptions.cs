using MemoryFabric.VectorIndex;

namespace MemoryFabric.Benchmarks.Split;

/// <summary>The settings of <c>memfab bench split</c>.</summary>
public sealed class SplitBenchmarkOptions
{
    /// <summary>Vectors in the shard before it is split (default 200,000, the default split threshold).</summary>
    public int Count { get; init; } = 200_000;

    /// <summary>Vectors written while the split runs (default 2,000), in batches of <see cref="WriteBatch"/>.</summary>
    public int Writes { get; init; } = 2_000;

    /// <summary>Vectors per write during the split (default 16, an agent outbox's typical shipment).</summary>
    public int WriteBatch { get; init; } = 16;

    /// <summary>Dimensions (default 384).</summary>
    public int Dimensions { get; init; } = 384;

    /// <summary>Queries measured before and after the split (default 500); during the split they are cycled.</summary>
    public int Queries { get; init; } = 500;

    /// <summary>Cluster centres of the synthetic vectors (default 2,000, as <c>bench shards</c>).</summary>
    public int Centres { get; init; } = 2_000;

    /// <summary>The seed.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>k of recall@k (default 10).</summary>
    public int K { get; init; } = 10;

    /// <summary>efSearch of every query (default 64), the same before, during and after.</summary>
    public int EfSearch { get; init; } = 64;

    /// <summary>Vectors per ingest batch before the split (default 512).</summary>
    public int IngestBatch { get; init; } = 512;

    /// <summary>Items the split copies per step (the tenant index's <c>SplitCopyBatch</c>, default 256).</summary>
    public int CopyBatch { get; init; } = 256;

    /// <summary>HNSW's M (default 16).</summary>
    public int M { get; init; } = 16;

    /// <summary>efConstruction (default 100, the shards' default).</summary>
    public int EfConstruction { get; init; } = 100;

    /// <summary>Where the shards keep float32 vectors (default: codes only, the shards' default).</summary>
    public VectorStorage Storage { get; init; } = VectorStorage.Quantized;

    /// <summary>Progress lines, or none.</summary>
    public TextWriter? Progress { get; init; }
}
