using MemoryFabric.Embeddings;
using MemoryFabric.OpenAI;

namespace MemoryFabric.Cli;

/// <summary>The <c>--embedder</c> option of memfab's commands: auto, minilm, hashing or openai.</summary>
internal static class EmbedderChoice
{
    /// <summary>Creates the embedder a command line names.</summary>
    /// <param name="name">auto, minilm, hashing or openai.</param>
    /// <param name="progress">Receives download progress and the fallback warning.</param>
    /// <param name="cancellationToken">Cancels a model download.</param>
    /// <returns>The embedder; the caller disposes it.</returns>
    /// <exception cref="UsageException">openai without its settings, or an unknown name.</exception>
    public static async Task<SelectedEmbedder> CreateAsync(string name, IProgress<string> progress, CancellationToken cancellationToken)
    {
        if (string.Equals(name, "openai", StringComparison.OrdinalIgnoreCase))
        {
            OpenAICompatibleOptions? options;
            try
            {
                options = OpenAICompatibleOptions.FromEnvironment();
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--embedder openai: {e.Message}", e);
            }

            if (options?.EmbeddingModel is not { Length: > 0 } model)
            {
                throw new UsageException(
                    $"--embedder openai needs {OpenAICompatibleOptions.EmbeddingModelVariable} (and {OpenAICompatibleOptions.EndpointVariable} "
                    + $"for a server other than api.openai.com, {OpenAICompatibleOptions.ApiKeyVariable} when it wants a key)");
            }

            var generator = new CachingEmbeddingGenerator(OpenAICompatibleClientFactory.CreateEmbeddingGenerator(options));
            return new SelectedEmbedder(generator, "openai:" + model, null);
        }

        var kind = name.ToLowerInvariant() switch
        {
            "auto" => EmbedderKind.Auto,
            "minilm" => EmbedderKind.MiniLm,
            "hashing" => EmbedderKind.Hashing,
            _ => throw new UsageException($"--embedder: unknown embedder \"{name}\" (auto, minilm, hashing, openai)"),
        };
        return await EmbedderSelection.CreateAsync(new EmbedderSelectionOptions { Kind = kind }, () => new HashingEmbeddingGenerator(), progress, cancellationToken)
            .ConfigureAwait(false);
    }
}
