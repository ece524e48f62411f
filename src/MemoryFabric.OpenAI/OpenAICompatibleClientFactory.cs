using System.ClientModel;
using System.ClientModel.Primitives;
using global::OpenAI;

namespace MemoryFabric.OpenAI;

/// <summary>
/// Creates the OpenAI SDK client and the Microsoft.Extensions.AI adapters for an OpenAI-compatible endpoint from
/// <see cref="OpenAICompatibleOptions"/>.
/// </summary>
public static class OpenAICompatibleClientFactory
{
    /// <summary>The provider name reported in the adapters' metadata.</summary>
    public const string ProviderName = "openai";

    /// <summary>Creates the SDK client: endpoint, key (no Authorization header when empty), timeout and retries.</summary>
    /// <param name="options">The settings.</param>
    /// <returns>The client, from which model-bound clients are taken.</returns>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public static OpenAIClient CreateOpenAIClient(OpenAICompatibleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = options.Endpoint,
            UserAgentApplicationId = "MemoryFabric",
        };
        if (options.NetworkTimeout is { } timeout)
        {
            clientOptions.NetworkTimeout = timeout;
        }

        if (options.MaxRetries is { } maxRetries)
        {
            clientOptions.RetryPolicy = new ClientRetryPolicy(maxRetries);
        }

        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            return new OpenAIClient(new ApiKeyCredential(options.ApiKey), clientOptions);
        }

#pragma warning disable OPENAI001 // The policy constructor is marked for evaluation in OpenAI 2.15; it lets a keyless server get no Authorization header.
        return new OpenAIClient(NoAuthenticationPolicy.Instance, clientOptions);
#pragma warning restore OPENAI001
    }

    /// <summary>Creates an embedding generator for <see cref="OpenAICompatibleOptions.EmbeddingModel"/>.</summary>
    /// <param name="options">The settings; <see cref="OpenAICompatibleOptions.EmbeddingModel"/> is required.</param>
    /// <returns>The generator.</returns>
    /// <exception cref="ArgumentException">The embedding model is missing or a setting is invalid.</exception>
    public static OpenAIEmbeddingGenerator CreateEmbeddingGenerator(OpenAICompatibleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.EmbeddingModel))
        {
            throw new ArgumentException(
                $"An embedding model name is required: set {nameof(OpenAICompatibleOptions.EmbeddingModel)} " +
                $"(or {OpenAICompatibleOptions.EmbeddingModelVariable}).", nameof(options));
        }

        var client = CreateOpenAIClient(options);
        return new OpenAIEmbeddingGenerator(client, options.EmbeddingModel, options.Dimensions, options.MaxBatchSize);
    }

    /// <summary>Creates a chat client for <see cref="OpenAICompatibleOptions.ChatModel"/>.</summary>
    /// <param name="options">The settings; <see cref="OpenAICompatibleOptions.ChatModel"/> is required.</param>
    /// <returns>The chat client.</returns>
    /// <exception cref="ArgumentException">The chat model is missing or a setting is invalid.</exception>
    public static OpenAIChatClient CreateChatClient(OpenAICompatibleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ChatModel))
        {
            throw new ArgumentException(
                $"A chat model name is required: set {nameof(OpenAICompatibleOptions.ChatModel)} " +
                $"(or {OpenAICompatibleOptions.ChatModelVariable}).", nameof(options));
        }

        var client = CreateOpenAIClient(options);
        return new OpenAIChatClient(client, options.ChatModel);
    }
}
