namespace MemoryFabric.Embeddings;

/// <summary>Options of <see cref="CachingEmbeddingGenerator"/>.</summary>
public sealed class CachingEmbeddingGeneratorOptions
{
    /// <summary>The most embeddings kept; the least recently used is evicted beyond it. Default 50,000
    /// (about 80 MB of 384-dimension vectors).</summary>
    public int Capacity { get; set; } = 50_000;
}
