using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using global::OpenAI;
using global::OpenAI.Chat;
using Microsoft.Extensions.AI;
using MeaiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using SdkChatMessage = OpenAI.Chat.ChatMessage;

namespace MemoryFabric.OpenAI;

/// <summary>
/// An <see cref="IChatClient"/> over an OpenAI-compatible <c>/chat/completions</c> endpoint, through the OpenAI SDK's
/// <see cref="ChatClient"/>. It sends text messages (system, developer, user, assistant, and tool results) and maps
/// <see cref="ChatOptions"/>' temperature, top-p, output-token limit, penalties, seed, stop sequences, JSON response
/// format and model override; <see cref="ChatOptions.TopK"/> has no OpenAI counterpart and is ignored.
/// Function/tool calling is not supported: options with tools throw <see cref="NotSupportedException"/>. (Tool calls
/// and tool results already in a transcript, as <see cref="FunctionCallContent"/> and <see cref="FunctionResultContent"/>,
/// are forwarded so that the history stays valid; non-text content such as images throws.)
/// </summary>
/// <remarks>
/// An HTTP error surfaces as the SDK's <see cref="System.ClientModel.ClientResultException"/> (its message carries the
/// status and the server's error message); a success response that cannot be read as
/// <see cref="OpenAICompatibleResponseException"/>.
/// </remarks>
public sealed class OpenAIChatClient : IChatClient
{
    private readonly OpenAIClient? _openAIClient;
    private readonly ChatClient _chatClient;
    private readonly ConcurrentDictionary<string, ChatClient> _otherModels = new(StringComparer.Ordinal);

    /// <summary>Creates a chat client for a model of an SDK client; a request may then override the model.</summary>
    /// <param name="openAIClient">The SDK client.</param>
    /// <param name="model">The default chat model.</param>
    /// <exception cref="ArgumentException">The model is missing.</exception>
    public OpenAIChatClient(OpenAIClient openAIClient, string model)
        : this(GetChatClient(openAIClient, model))
    {
        _openAIClient = openAIClient;
    }

    /// <summary>Creates a chat client over a model-bound SDK chat client.</summary>
    /// <param name="chatClient">The SDK chat client.</param>
    public OpenAIChatClient(ChatClient chatClient)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        _chatClient = chatClient;
        Metadata = new ChatClientMetadata(OpenAICompatibleClientFactory.ProviderName, SdkClientInfo.EndpointOf(chatClient), SdkClientInfo.ModelOf(chatClient));
    }

    /// <summary>The provider, endpoint and default model.</summary>
    public ChatClientMetadata Metadata { get; }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<MeaiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var sdkMessages = OpenAIChatMapper.ToOpenAIMessages(messages, options);
        var sdkOptions = OpenAIChatMapper.ToOpenAIOptions(options);
        var client = ResolveClient(options?.ModelId);

        ChatCompletion? completion;
        try
        {
            var result = await client.CompleteChatAsync(sdkMessages, sdkOptions, cancellationToken).ConfigureAwait(false);
            completion = result.Value;
        }
        catch (Exception ex) when (OpenAICompatibleResponseException.IsParseError(ex))
        {
            throw Malformed(client, ex);
        }

        if (completion is null)
        {
            throw new OpenAICompatibleResponseException($"{Describe(client)} returned an empty response.");
        }

        try
        {
            return OpenAIChatMapper.FromCompletion(completion, SdkClientInfo.ModelOf(client));
        }
        catch (Exception ex) when (OpenAICompatibleResponseException.IsParseError(ex))
        {
            // The SDK reads the message from the first choice lazily: a response without one fails here.
            throw new OpenAICompatibleResponseException(
                $"{Describe(client)} returned a chat completion without a usable choice: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The request is validated when this method is called (tools, unsupported content); it is sent when the result is
    /// enumerated. Each update carries the text delta; the last ones carry the finish reason and a
    /// <see cref="UsageContent"/> when the server reports usage.
    /// </remarks>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<MeaiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var sdkMessages = OpenAIChatMapper.ToOpenAIMessages(messages, options);
        var sdkOptions = OpenAIChatMapper.ToOpenAIOptions(options);
        var client = ResolveClient(options?.ModelId);
        return StreamAsync(client, sdkMessages, sdkOptions, cancellationToken);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? Metadata
            : serviceType == typeof(ChatClient) ? _chatClient
            : serviceType == typeof(OpenAIClient) ? _openAIClient
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // The SDK clients hold no disposable resources of their own.
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        ChatClient client,
        List<SdkChatMessage> messages,
        ChatCompletionOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = new OpenAIChatMapper.StreamState();
        var updates = client.CompleteChatStreamingAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate mapped;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    mapped = OpenAIChatMapper.FromUpdate(updates.Current, state, SdkClientInfo.ModelOf(client));
                }
                catch (Exception ex) when (OpenAICompatibleResponseException.IsParseError(ex))
                {
                    throw Malformed(client, ex);
                }

                yield return mapped;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static ChatClient GetChatClient(OpenAIClient openAIClient, string model)
    {
        ArgumentNullException.ThrowIfNull(openAIClient);
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new ArgumentException("A chat model name is required.", nameof(model));
        }

        return openAIClient.GetChatClient(model);
    }

    private static string Describe(ChatClient client) => $"The chat endpoint at {SdkClientInfo.EndpointOf(client)} (model '{SdkClientInfo.ModelOf(client)}')";

    private static OpenAICompatibleResponseException Malformed(ChatClient client, Exception ex) =>
        new($"{Describe(client)} returned a malformed response: {ex.Message}", ex);

    private ChatClient ResolveClient(string? modelId)
    {
        if (string.IsNullOrWhiteSpace(modelId) || string.Equals(modelId, SdkClientInfo.ModelOf(_chatClient), StringComparison.Ordinal))
        {
            return _chatClient;
        }

        if (_openAIClient is null)
        {
            throw new NotSupportedException(
                $"This chat client is bound to model '{SdkClientInfo.ModelOf(_chatClient)}' and cannot switch to '{modelId}': create it from an OpenAIClient to allow per-request models.");
        }

        return _otherModels.GetOrAdd(modelId, static (id, client) => client.GetChatClient(id), _openAIClient);
    }
}
