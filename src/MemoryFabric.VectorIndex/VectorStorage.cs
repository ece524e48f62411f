namespace MemoryFabric.VectorIndex;

/// <summary>Where a shard keeps the full-precision (float32) vectors it uses for exact re-ranking. Graph traversal
/// only reads the int8 codes, which are always in RAM.</summary>
public enum VectorStorage
{
    /// <summary>In a memory-mapped file (a side file in <see cref="VectorShardOptions.StorageDirectory"/>, or the
    /// vector section of the snapshot the shard was loaded from). The operating system pages in only the vectors that
    /// re-ranking touches; they are not part of the shard's resident heap.</summary>
    MappedFile = 0,

    /// <summary>In process memory (1 float per dimension per item on top of the int8 codes): opt-in.</summary>
    InMemory = 1,

    /// <summary>Nowhere: the int8 codes are the only copy. Re-ranking and exact scans score the float32 query against
    /// the decoded codes (asymmetric, so only the items' rounding counts: about 1e-3 on a cosine of unit vectors in a
    /// few hundred dimensions). Saves 4 bytes per dimension per item (1,536 for 384 dimensions) of memory, resident or
    /// mapped; what an item reads back (<see cref="VectorShard.EnumerateItems"/>, snapshots) is the decoded vector.</summary>
    Quantized = 2,
}
