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
}
