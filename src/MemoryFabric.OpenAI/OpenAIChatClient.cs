using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using global::OpenAI;
using global::OpenAI.Chat;
using Microsoft.Extensions.AI;
using MeaiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace MemoryFabric.OpenAI;

/// <summary>
/// An <see cref="IChatClient"/> over an OpenAI-compatible <c>/chat/completions</c> endpoint. The request and response
/// mapping (messages, roles, images, tool calling, options, streaming, usage) is Microsoft.Extensions.AI.OpenAI's
/// (<see cref="Microsoft.Extensions.AI.OpenAIClientExtensions.AsIChatClient(ChatClient)"/>); this client adds what it lacks:
/// a per-request model (<see cref="ChatOptions.ModelId"/>) when created from an <see cref="OpenAIClient"/>, checks
/// of the messages before anything is sent, and <see cref="OpenAICompatibleResponseException"/> for a success response
/// that cannot be read (where the SDK throws a bare JSON or format exception).
/// </summary>
/// <remarks>
/// An HTTP error surfaces as the SDK's <see cref="System.ClientModel.ClientResultException"/> (its message carries the
/// status and the server's error message).
/// </remarks>
public sealed class OpenAIChatClient : DelegatingChatClient
{
    private static readonly ChatRole DeveloperRole = new("developer");

    private readonly OpenAIClient? _openAIClient;
    private readonly ChatClient _chatClient;
    private readonly ConcurrentDictionary<string, IChatClient> _otherModels = new(StringComparer.Ordinal);

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
        : base(ArgumentNullThrowing(chatClient).AsIChatClient())
    {
        _chatClient = chatClient;
        var inner = InnerClient.GetService<ChatClientMetadata>();
        Metadata = new ChatClientMetadata(
            OpenAICompatibleClientFactory.ProviderName, inner?.ProviderUri ?? SdkClientInfo.EndpointOf(chatClient), inner?.DefaultModelId ?? SdkClientInfo.ModelOf(chatClient));
    }

    /// <summary>The provider, endpoint and default model.</summary>
    public ChatClientMetadata Metadata { get; }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<MeaiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = Check(messages, options);
        var client = ResolveClient(options?.ModelId);
        try
        {
            return await client.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (OpenAICompatibleResponseException.IsParseError(ex))
        {
            throw Malformed(options?.ModelId, ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>The messages are checked when this method is called; the request is sent when the result is
    /// enumerated.</remarks>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<MeaiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = Check(messages, options);
        var client = ResolveClient(options?.ModelId);
        return StreamAsync(client, list, options, cancellationToken);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? Metadata
            : serviceType == typeof(ChatClient) ? _chatClient
            : serviceType == typeof(OpenAIClient) ? _openAIClient
            : serviceType.IsInstanceOfType(this) ? this
            : base.GetService(serviceType, serviceKey);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IChatClient client, List<MeaiChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var updates = client.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex) when (OpenAICompatibleResponseException.IsParseError(ex))
                {
                    throw Malformed(options?.ModelId, ex);
                }

                yield return updates.Current;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Refuses what Microsoft.Extensions.AI.OpenAI would send anyway and the server would reject, or
    /// silently drop: no messages, a null message, a role the API does not have, a tool message without a call id.</summary>
    private static List<MeaiChatMessage> Check(IEnumerable<MeaiChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var message = list[i] ?? throw new ArgumentException($"Message {i} is null.", nameof(messages));
            var role = message.Role;
            if (role != ChatRole.System && role != ChatRole.User && role != ChatRole.Assistant && role != ChatRole.Tool
                && role != DeveloperRole)
            {
                throw new ArgumentException(
                    $"Message {i} has the role '{role}'; the roles are system, developer, user, assistant and tool.", nameof(messages));
            }

            if (role == ChatRole.Tool && !message.Contents.OfType<FunctionResultContent>().Any())
            {
                throw new ArgumentException(
                    $"Message {i} has the role 'tool' but no FunctionResultContent: a tool message answers a tool call and needs its call id.",
                    nameof(messages));
            }
        }

        if (list.Count == 0 && string.IsNullOrWhiteSpace(options?.Instructions))
        {
            throw new ArgumentException("At least one message is required.", nameof(messages));
        }

        return list;
    }

    private static ChatClient ArgumentNullThrowing(ChatClient chatClient)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        return chatClient;
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

    private OpenAICompatibleResponseException Malformed(string? modelId, Exception ex) =>
        new($"The chat endpoint at {SdkClientInfo.EndpointOf(_chatClient)} (model '{(string.IsNullOrWhiteSpace(modelId) ? SdkClientInfo.ModelOf(_chatClient) : modelId)}') returned a malformed response: {ex.Message}", ex);

    private IChatClient ResolveClient(string? modelId)
    {
        if (string.IsNullOrWhiteSpace(modelId) || string.Equals(modelId, SdkClientInfo.ModelOf(_chatClient), StringComparison.Ordinal))
        {
            return InnerClient;
        }

        if (_openAIClient is null)
        {
            throw new NotSupportedException(
                $"This chat client is bound to model '{SdkClientInfo.ModelOf(_chatClient)}' and cannot switch to '{modelId}': create it from an OpenAIClient to allow per-request models.");
        }

        return _otherModels.GetOrAdd(modelId, static (id, client) => client.GetChatClient(id).AsIChatClient(), _openAIClient);
    }
}
