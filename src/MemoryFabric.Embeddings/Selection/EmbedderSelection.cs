using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>Picks a host's embedder: the MiniLM encoder (behind an embedding cache) when its model is available,
/// else the caller's fallback (the engine's hashed embedder) with a warning saying why.</summary>
public static class EmbedderSelection
{
    /// <summary>Creates the embedder the options ask for.</summary>
    /// <param name="options">What to use.</param>
    /// <param name="fallback">Creates the hashed fallback.</param>
    /// <param name="progress">Receives progress lines (model download) and the fallback warning.</param>
    /// <param name="cancellationToken">Cancels a model download.</param>
    /// <returns>The embedder and a description of it.</returns>
    /// <exception cref="ModelAcquisitionException">MiniLM was required and the model could not be fetched.</exception>
    /// <exception cref="ModelFileException">MiniLM was required and a model file is missing or corrupted.</exception>
    public static async Task<SelectedEmbedder> CreateAsync(
        EmbedderSelectionOptions options,
        Func<IEmbeddingGenerator<string, Embedding<float>>> fallback,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(fallback);
        if (options.Kind == EmbedderKind.Hashing)
        {
            return new SelectedEmbedder(fallback(), "hashing", null);
        }

        string directory;
        try
        {
            directory = options.AllowDownload
                ? await MiniLmModel.EnsureAsync(options.ModelDirectory, progress, cancellationToken).ConfigureAwait(false)
                : VerifiedDirectory(options.ModelDirectory);
        }
        catch (Exception e) when (options.Kind == EmbedderKind.Auto && e is ModelAcquisitionException or ModelFileException)
        {
            var warning = $"warning: the MiniLM embedding model is unavailable ({e.Message}); using the hashed fallback "
                + "embedder, whose recall is lexical rather than semantic.";
            progress?.Report(warning);
            return new SelectedEmbedder(fallback(), "hashing", warning);
        }

        var encoderOptions = new MiniLmEmbeddingGeneratorOptions { ModelDirectory = directory };
        if (options.MaxDegreeOfParallelism is { } threads)
        {
            encoderOptions.MaxDegreeOfParallelism = threads;
        }

        IEmbeddingGenerator<string, Embedding<float>> encoder = new MiniLmEmbeddingGenerator(encoderOptions);
        if (options.CacheCapacity > 0)
        {
            encoder = new CachingEmbeddingGenerator(encoder, new CachingEmbeddingGeneratorOptions { Capacity = options.CacheCapacity });
        }

        return new SelectedEmbedder(encoder, MiniLmModel.ModelId, null);
    }

    private static string VerifiedDirectory(string? directory)
    {
        var path = Path.GetFullPath(directory ?? MiniLmModel.DefaultDirectory);
        MiniLmModel.Verify(path);
        return path;
    }
}
