namespace MemoryFabric.Embeddings.Tests.Support;

/// <summary>
/// The model directory (fetched by <see cref="MiniLmModel.EnsureAsync(string?, IProgress{string}?, CancellationToken)"/>
/// when absent) and one generator loaded from it, shared by a test class. Tests never skip: without the model
/// (and no way to fetch it) they fail with the acquisition error.
/// </summary>
public sealed class ModelFixture : IDisposable
{
    /// <summary>Ensures the model and loads the generator (default kernel for this CPU, all cores).</summary>
    public ModelFixture()
    {
        Directory = MiniLmModel.EnsureAsync().GetAwaiter().GetResult();
        Generator = new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = Directory });
    }

    /// <summary>The verified model directory.</summary>
    public string Directory { get; }

    /// <summary>The shared generator.</summary>
    public MiniLmEmbeddingGenerator Generator { get; }

    /// <summary>The cosine of two unit vectors.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);

    /// <inheritdoc />
    public void Dispose() => Generator.Dispose();
}
