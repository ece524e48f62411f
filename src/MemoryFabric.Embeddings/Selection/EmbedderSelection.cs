using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>Picks a host's embedder: the MiniLM or arctic-xs encoder (behind an embedding cache) when its model is
/// available, else (for <see cref="EmbedderKind.Auto"/>) the caller's fallback (the engine's hashed embedder) with a
/// warning saying why.</summary>
public static class EmbedderSelection
{
    /// <summary>Creates the embedder the options ask for.</summary>
    /// <param name="options">What to use.</param>
    /// <param name="fallback">Creates the hashed fallback.</param>
    /// <param name="progress">Receives progress lines (model download) and the fallback warning.</param>
    /// <param name="cancellationToken">Cancels a model download.</param>
    /// <returns>The embedder and a description of it.</returns>
    /// <exception cref="ModelAcquisitionException">An encoder was required and its model could not be fetched.</exception>
    /// <exception cref="ModelFileException">An encoder was required and a model file is missing or corrupted.</exception>
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

        if (options.Kind == EmbedderKind.ArcticXs)
        {
            var arcticDirectory = options.AllowDownload
                ? await ArcticXsModel.EnsureAsync(options.ModelDirectory, progress, cancellationToken).ConfigureAwait(false)
                : VerifiedDirectory(options.ModelDirectory, ArcticXsModel.DefaultDirectory, ArcticXsModel.Verify);
            var arcticOptions = new ArcticXsEmbeddingGeneratorOptions { ModelDirectory = arcticDirectory };
            if (options.MaxDegreeOfParallelism is { } arcticThreads)
            {
                arcticOptions.MaxDegreeOfParallelism = arcticThreads;
            }

            return new SelectedEmbedder(Cached(new ArcticXsEmbeddingGenerator(arcticOptions), options), ArcticXsModel.ModelId, null);
        }

        string directory;
        try
        {
            directory = options.AllowDownload
                ? await MiniLmModel.EnsureAsync(options.ModelDirectory, progress, cancellationToken).ConfigureAwait(false)
                : VerifiedDirectory(options.ModelDirectory, MiniLmModel.DefaultDirectory, MiniLmModel.Verify);
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

        return new SelectedEmbedder(Cached(new MiniLmEmbeddingGenerator(encoderOptions), options), MiniLmModel.ModelId, null);
    }

    private static IEmbeddingGenerator<string, Embedding<float>> Cached(IEmbeddingGenerator<string, Embedding<float>> encoder, EmbedderSelectionOptions options) =>
        options.CacheCapacity > 0
            ? new CachingEmbeddingGenerator(encoder, new CachingEmbeddingGeneratorOptions { Capacity = options.CacheCapacity })
            : encoder;

    private static string VerifiedDirectory(string? directory, string defaultDirectory, Action<string> verify)
    {
        var path = Path.GetFullPath(directory ?? defaultDirectory);
        verify(path);
        return path;
    }
}
