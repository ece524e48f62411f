using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>Picks a host's embedder: the arctic-xs or MiniLM encoder (behind an embedding cache) when its model is
/// available. <see cref="EmbedderKind.Auto"/> tries snowflake-arctic-embed-xs, then all-MiniLM-L6-v2 (with a warning saying
/// why), then the caller's fallback (the engine's hashed embedder) with a warning saying why.</summary>
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
    public static Task<SelectedEmbedder> CreateAsync(
        EmbedderSelectionOptions options,
        Func<IEmbeddingGenerator<string, Embedding<float>>> fallback,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default) =>
        CreateAsync(options, fallback, progress, null, ArcticXsModel.FindPackageDll, cancellationToken);

    /// <summary><see cref="CreateAsync(EmbedderSelectionOptions, Func{IEmbeddingGenerator{string, Embedding{float}}}, IProgress{string}?, CancellationToken)"/>
    /// with arctic-xs's default directory and package DLL replaceable (tests of <see cref="EmbedderKind.Auto"/>).</summary>
    internal static async Task<SelectedEmbedder> CreateAsync(
        EmbedderSelectionOptions options,
        Func<IEmbeddingGenerator<string, Embedding<float>>> fallback,
        IProgress<string>? progress,
        string? arcticDefaultDirectory,
        Func<string?> findArcticDll,
        CancellationToken cancellationToken)
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
            return CreateArcticXs(arcticDirectory, options);
        }

        string? arcticUnavailable = null;
        if (options.Kind == EmbedderKind.Auto)
        {
            if (options.ModelDirectory is { } explicitDirectory)
            {
                // The model in the directory the caller named: arctic-xs when its files are there, else MiniLM. Nothing
                // is extracted into it (it may be a MiniLM directory, and the two models' vocab.txt differ).
                if (ArcticXsModel.IsAvailable(explicitDirectory))
                {
                    return CreateArcticXs(Path.GetFullPath(explicitDirectory), options);
                }
            }
            else
            {
                try
                {
                    var arcticDirectory = options.AllowDownload
                        ? await ArcticXsModel.EnsureAsync(arcticDefaultDirectory, progress, findArcticDll, cancellationToken).ConfigureAwait(false)
                        : VerifiedDirectory(arcticDefaultDirectory, ArcticXsModel.DefaultDirectory, ArcticXsModel.Verify);
                    return CreateArcticXs(arcticDirectory, options);
                }
                catch (Exception e) when (e is ModelAcquisitionException or ModelFileException)
                {
                    arcticUnavailable = e.Message;
                }
            }
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
            var why = arcticUnavailable is null
                ? $"the MiniLM embedding model is unavailable ({e.Message})"
                : $"no embedding model is available (snowflake-arctic-embed-xs: {arcticUnavailable}; all-MiniLM-L6-v2: {e.Message})";
            var warning = $"warning: {why}; using the hashed fallback embedder, whose recall is lexical rather than semantic.";
            progress?.Report(warning);
            return new SelectedEmbedder(fallback(), "hashing", warning);
        }

        var encoderOptions = new MiniLmEmbeddingGeneratorOptions { ModelDirectory = directory };
        if (options.MaxDegreeOfParallelism is { } threads)
        {
            encoderOptions.MaxDegreeOfParallelism = threads;
        }

        var downgrade = arcticUnavailable is null
            ? null
            : $"warning: the default embedding model snowflake-arctic-embed-xs is unavailable ({arcticUnavailable}); using "
                + "all-MiniLM-L6-v2, whose retrieval is weaker.";
        if (downgrade is not null)
        {
            progress?.Report(downgrade);
        }

        return new SelectedEmbedder(Cached(new MiniLmEmbeddingGenerator(encoderOptions), options), MiniLmModel.ModelId, downgrade);
    }

    private static SelectedEmbedder CreateArcticXs(string directory, EmbedderSelectionOptions options)
    {
        var arcticOptions = new ArcticXsEmbeddingGeneratorOptions { ModelDirectory = directory };
        if (options.MaxDegreeOfParallelism is { } threads)
        {
            arcticOptions.MaxDegreeOfParallelism = threads;
        }

        return new SelectedEmbedder(Cached(new ArcticXsEmbeddingGenerator(arcticOptions), options), ArcticXsModel.ModelId, null);
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
