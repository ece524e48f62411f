using MemoryFabric.Embeddings;
using MemoryFabric.Server.Hosting;

namespace MemoryFabric.Cli;

/// <summary>The <c>--embedder</c> option of memfab's commands: auto, minilm, arctic-xs, hashing or openai. The choice itself is
/// the server's (<see cref="EmbedderFactory"/>), so that <c>memfab eval</c> and <c>memfab serve</c> agree.</summary>
internal static class EmbedderChoice
{
    /// <summary>Creates the embedder a command line names.</summary>
    /// <param name="name">auto, minilm, arctic-xs, hashing or openai.</param>
    /// <param name="progress">Receives download progress and the fallback warning.</param>
    /// <param name="cancellationToken">Cancels a model download.</param>
    /// <returns>The embedder; the caller disposes it.</returns>
    /// <exception cref="UsageException">openai without its settings, or an unknown name.</exception>
    public static async Task<SelectedEmbedder> CreateAsync(string name, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        try
        {
            return await EmbedderFactory.CreateAsync(name, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            var cut = e.Message.IndexOf(" (Parameter '", StringComparison.Ordinal);
            throw new UsageException($"--embedder: {(cut > 0 ? e.Message[..cut] : e.Message)}", e);
        }
    }
}
