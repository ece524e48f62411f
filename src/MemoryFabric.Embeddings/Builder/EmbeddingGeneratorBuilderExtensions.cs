using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>
/// Microsoft.Extensions.AI builder steps for MemoryFabric's embedding generators, composed like <c>UseCaching</c> /
/// <c>UseLogging</c>:
/// <code>
/// IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt; embedder = new MiniLmEmbeddingGenerator()
///     .AsBuilder()
///     .UseMemoryFabricCache(o => o.Capacity = 10_000)   // outermost: a hit never queues
///     .UseDedicatedThreads(o => o.Threads = 2)          // the encoder's batches off the thread pool
///     .Build();
/// </code>
/// </summary>
public static class EmbeddingGeneratorBuilderExtensions
{
    /// <summary>Adds a <see cref="CachingEmbeddingGenerator"/>: an in-memory, least-recently-used cache of vectors by
    /// text (and model and size), so that a text already embedded is not encoded again.</summary>
    /// <param name="builder">The embedding pipeline.</param>
    /// <param name="configure">Sets the capacity.</param>
    /// <returns>The builder.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseMemoryFabricCache(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, Action<CachingEmbeddingGeneratorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner =>
        {
            var options = new CachingEmbeddingGeneratorOptions();
            configure?.Invoke(options);
            return new CachingEmbeddingGenerator(inner, options);
        });
    }

    /// <summary>Adds a <see cref="DedicatedThreadEmbeddingGenerator"/>: batches run on dedicated threads (small calls,
    /// such as one query, inline), so that a CPU-bound encoder does not hold thread-pool threads.</summary>
    /// <param name="builder">The embedding pipeline.</param>
    /// <param name="configure">Sets the thread count and the inline threshold.</param>
    /// <returns>The builder.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseDedicatedThreads(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, Action<DedicatedThreadEmbeddingGeneratorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner =>
        {
            var options = new DedicatedThreadEmbeddingGeneratorOptions();
            configure?.Invoke(options);
            return new DedicatedThreadEmbeddingGenerator(inner, options);
        });
    }
}
