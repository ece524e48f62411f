using global::OpenAI;
using global::OpenAI.Chat;
using global::OpenAI.Embeddings;

namespace MemoryFabric.OpenAI;

/// <summary>Adapts OpenAI SDK clients to MemoryFabric's Microsoft.Extensions.AI implementations.</summary>
public static class OpenAIClientExtensions
{
    /// <summary>Creates an embedding generator for a model of this client.</summary>
    /// <param name="client">The SDK client.</param>
    /// <param name="model">The embedding model.</param>
    /// <param name="dimensions">The embedding size to request, or null for the model's own.</param>
    /// <param name="maxBatchSize">The most inputs sent in one request.</param>
    /// <returns>The generator.</returns>
    public static OpenAIEmbeddingGenerator AsMemoryFabricEmbeddingGenerator(
        this OpenAIClient client, string model, int? dimensions = null, int maxBatchSize = OpenAICompatibleOptions.DefaultMaxBatchSize) =>
        new(client, model, dimensions, maxBatchSize);

    /// <summary>Creates an embedding generator over a model-bound embedding client.</summary>
    /// <param name="client">The SDK embedding client.</param>
    /// <param name="dimensions">The embedding size to request, or null for the model's own.</param>
    /// <param name="maxBatchSize">The most inputs sent in one request.</param>
    /// <returns>The generator.</returns>
    public static OpenAIEmbeddingGenerator AsMemoryFabricEmbeddingGenerator(
        this EmbeddingClient client, int? dimensions = null, int maxBatchSize = OpenAICompatibleOptions.DefaultMaxBatchSize) =>
        new(client, dimensions, maxBatchSize);

    /// <summary>Creates a chat client for a model of this client (per-request model overrides are supported).</summary>
    /// <param name="client">The SDK client.</param>
    /// <param name="model">The default chat model.</param>
    /// <returns>The chat client.</returns>
    public static OpenAIChatClient AsMemoryFabricChatClient(this OpenAIClient client, string model) => new(client, model);

    /// <summary>Creates a chat client over a model-bound SDK chat client.</summary>
    /// <param name="client">The SDK chat client.</param>
    /// <returns>The chat client.</returns>
    public static OpenAIChatClient AsMemoryFabricChatClient(this ChatClient client) => new(client);
}
