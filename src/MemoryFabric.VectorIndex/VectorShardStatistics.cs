namespace MemoryFabric.VectorIndex;

/// <summary>Counts and memory of a <see cref="VectorShard"/>.</summary>
public sealed record VectorShardStatistics
{
    /// <summary>Live items.</summary>
    public required int Count { get; init; }

    /// <summary>Tombstoned slots (deleted or replaced items) awaiting compaction.</summary>
    public required int TombstoneCount { get; init; }

    /// <summary>The top level of the graph (-1 when empty).</summary>
    public required int MaxLevel { get; init; }

    /// <summary>
    /// Bytes held in process memory: int8 codes and their parameters, graph links (layer 0 and upper layers), node
    /// levels, keys (arena, entries and hash table), metadata, tombstone flags, interned strings, and float32 vectors
    /// when <see cref="VectorStorage.InMemory"/>. Allocated capacity is counted, not just the used part. Excludes
    /// per-thread search scratch (<see cref="ScratchBytesPerThread"/>) and memory-mapped vectors
    /// (<see cref="MappedBytes"/>).
    /// </summary>
    public required long ResidentBytes { get; init; }

    /// <summary><see cref="ResidentBytes"/> by part (int8 codes, quantization parameters, layer-0 links, upper-layer
    /// links, node levels, keys, metadata, tombstone flags, interned strings, in-memory float32 vectors).</summary>
    public required IReadOnlyDictionary<string, long> ResidentBreakdown { get; init; }

    /// <summary>Bytes of float32 vectors in memory-mapped files: paged in on demand by the operating system (only the
    /// vectors that re-ranking and exact scans touch), shared with the page cache, not part of the resident heap.</summary>
    public required long MappedBytes { get; init; }

    /// <summary>The search scratch of one reading thread (the visited set; pooled, not per item).</summary>
    public required long ScratchBytesPerThread { get; init; }

    /// <summary>The int8 dot-product kernel in use (<c>avx-vnni</c>, <c>avx2</c> or <c>portable</c>).</summary>
    public required string Kernel { get; init; }

    /// <summary><see cref="ResidentBytes"/> per live item (0 when empty).</summary>
    public double ResidentBytesPerItem => Count == 0 ? 0 : (double)ResidentBytes / Count;
}
