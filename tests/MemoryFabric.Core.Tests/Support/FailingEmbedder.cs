using MemoryFabric.Embeddings;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Core.Tests.Support;

/// <summary>A hashing embedder that can be told to fail (or to report cancellation) on its next calls.</summary>
public sealed class FailingEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly HashingEmbeddingGenerator _inner = new();

    /// <summary>When set, the next calls throw this exception.</summary>
    public Exception? Failure { get; set; }

    public int Calls { get; private set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        Calls++;
        return Failure is { } failure ? Task.FromException<GeneratedEmbeddings<Embedding<float>>>(failure) : _inner.GenerateAsync(values, options, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => _inner.GetService(serviceType, serviceKey);

    public void Dispose() => _inner.Dispose();
}
