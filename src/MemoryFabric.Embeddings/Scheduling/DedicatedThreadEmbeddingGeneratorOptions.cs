namespace MemoryFabric.Embeddings;

/// <summary>Options of <see cref="DedicatedThreadEmbeddingGenerator"/>.</summary>
public sealed class DedicatedThreadEmbeddingGeneratorOptions
{
    /// <summary>How many dedicated threads run batches. Default: 1.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Calls with at most this many texts run inline on the caller's thread (a query on the request path).
    /// Default: 1.</summary>
    public int InlineMaxCount { get; set; } = 1;
}
