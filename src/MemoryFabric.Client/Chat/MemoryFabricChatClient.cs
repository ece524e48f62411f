using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using MemoryFabric.Conversation;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MemoryFabric.Client;

/// <summary>
/// A chat client middleware that gives a model long-term memory: before each request it fetches the memories relevant
/// to the latest user message and adds them as a system message in front of the messages; after a successful response
/// it records the exchange (the user's message and the assistant's reply) as turns of the agent's memory.
/// </summary>
/// <remarks>
/// <para>The caller's message list is never modified: the context goes into a copy.</para>
/// <para>The user's turn is recorded when the latest user message is the last message of the request (a new input; a
/// call that only continues after tool results does not record it again); the assistant's turn when the response has
/// text. Both go in one ingest, user first. A message's <see cref="ChatMessage.MessageId"/> becomes its turn id, so a
/// message sent twice is stored once.</para>
/// <para>Streaming: the context is fetched before the first update; the text of the updates is recorded once the
/// stream has completed (an abandoned stream records nothing).</para>
/// <para>By default a memory failure is logged and the chat goes on (see
/// <see cref="MemoryExchangeOptions.ThrowOnMemoryErrors"/>).</para>
/// <para>In a Microsoft.Extensions.AI pipeline: <c>builder.UseMemoryFabric(memory, o => o.AgentName = "bob")</c>,
/// placed before <c>UseFunctionInvocation()</c> so that it sees the user's request and the final answer.</para>
/// </remarks>
public sealed partial class MemoryFabricChatClient : DelegatingChatClient
{
    private readonly IMemoryFabricClient _memory;
    private readonly MemoryFabricChatClientOptions _options;
    private readonly ILogger _logger;
    private readonly string _defaultSessionId = "chat-" + Guid.NewGuid().ToString("N");

    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerClient">The client that talks to the model.</param>
    /// <param name="memory">The MemoryFabric client.</param>
    /// <param name="options">The agent, session, budget and policies (copied: later changes have no effect).</param>
    /// <param name="logger">Logs tolerated memory failures; none when <see langword="null"/>.</param>
    /// <exception cref="InvalidOperationException">The options name no agent or are invalid.</exception>
    public MemoryFabricChatClient(IChatClient innerClient, IMemoryFabricClient memory, MemoryFabricChatClientOptions options, ILogger? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _memory = memory;
        _options = options.Clone();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var exchange = await PrepareAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var response = await base.GetResponseAsync(exchange.Messages, options, cancellationToken).ConfigureAwait(false);
        var reply = response.Messages.LastOrDefault(m => m.Role == ChatRole.Assistant);
        await RecordAsync(exchange, response.Text, reply?.MessageId ?? response.ResponseId, response.ModelId, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var exchange = await PrepareAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder();
        string? messageId = null;
        string? modelId = null;
        await foreach (var update in base.GetStreamingResponseAsync(exchange.Messages, options, cancellationToken).ConfigureAwait(false))
        {
            if (update.Role is null || update.Role == ChatRole.Assistant)
            {
                text.Append(update.Text);
                messageId ??= update.MessageId ?? update.ResponseId;
            }

            modelId ??= update.ModelId;
            yield return update;
        }

        await RecordAsync(exchange, text.ToString(), messageId, modelId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(IMemoryFabricClient) ? _memory : base.GetService(serviceType, serviceKey);
    }

    private async Task<Exchange> PrepareAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var agent = _options.AgentSelector?.Invoke(list, options) ?? _options.AgentName!;
        var sessionId = _options.SessionSelector?.Invoke(list, options) ?? _options.SessionId ?? options?.ConversationId ?? _defaultSessionId;

        ChatMessage? user = null;
        var userIndex = -1;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Role == ChatRole.User)
            {
                user = list[i];
                userIndex = i;
                break;
            }
        }

        var userText = user?.Text;
        var exchange = new Exchange(
            list,
            agent,
            sessionId,
            string.IsNullOrWhiteSpace(userText) ? null : user,
            string.IsNullOrWhiteSpace(userText) || userIndex != list.Count - 1 ? null : userText,
            user?.CreatedAt ?? _options.TimeProvider.GetUtcNow());

        if (!_options.InjectContext || string.IsNullOrWhiteSpace(userText) || string.IsNullOrWhiteSpace(agent))
        {
            return exchange;
        }

        MemoryContext? context = null;
        try
        {
            context = await _memory.GetContextAsync(
                agent, new ContextRequest { Query = userText, TokenBudget = _options.TokenBudget }, cancellationToken).ConfigureAwait(false);
        }
        catch (MemoryFabricApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // An agent that was never written has no memories yet: nothing to add.
            Log.NoMemoryYet(_logger, agent);
        }
        catch (Exception e) when (IsTolerable(e, cancellationToken))
        {
            Log.ContextFailed(_logger, agent, e);
        }

        if (context is null || string.IsNullOrWhiteSpace(context.Text))
        {
            return exchange;
        }

        var system = new ChatMessage(ChatRole.System, _options.RenderContext(context.Text));
        var augmented = new List<ChatMessage>(list.Count + 1) { system };
        augmented.AddRange(list);
        return exchange with { Messages = augmented };
    }

    private async Task RecordAsync(Exchange exchange, string? replyText, string? replyId, string? modelId, CancellationToken cancellationToken)
    {
        if (!_options.RecordExchange || string.IsNullOrWhiteSpace(exchange.Agent))
        {
            return;
        }

        var turns = new List<TurnInput>(2);
        if (exchange.UserText is not null)
        {
            turns.Add(new TurnInput
            {
                Id = string.IsNullOrWhiteSpace(exchange.UserMessage?.MessageId) ? NewTurnId() : exchange.UserMessage.MessageId,
                SessionId = exchange.SessionId,
                Speaker = _options.UserSpeaker,
                Role = TurnRole.User,
                Text = exchange.UserText,
                Timestamp = exchange.UserTime,
            });
        }

        if (!string.IsNullOrWhiteSpace(replyText))
        {
            var now = _options.TimeProvider.GetUtcNow();
            turns.Add(new TurnInput
            {
                Id = string.IsNullOrWhiteSpace(replyId) ? NewTurnId() : replyId,
                SessionId = exchange.SessionId,
                Speaker = _options.AssistantSpeaker,
                Role = TurnRole.Assistant,
                Text = replyText,
                Timestamp = now < exchange.UserTime ? exchange.UserTime : now,
                Metadata = modelId is null ? null : new Dictionary<string, string> { ["modelId"] = modelId },
            });
        }

        if (turns.Count == 0)
        {
            return;
        }

        try
        {
            await _memory.IngestAsync(exchange.Agent, turns, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTolerable(e, cancellationToken))
        {
            Log.RecordFailed(_logger, exchange.Agent, e);
        }
    }

    private static string NewTurnId() => "chat-" + Guid.NewGuid().ToString("N");

    /// <summary>Whether a memory failure is swallowed: never the caller's cancellation, only when the policy allows.</summary>
    private bool IsTolerable(Exception exception, CancellationToken cancellationToken) =>
        !_options.ThrowOnMemoryErrors
        && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        && exception is HttpRequestException or MemoryFabricApiException or TimeoutException or OperationCanceledException
            or System.Text.Json.JsonException or IOException;

    /// <summary>The state of one request between the context lookup and the recording.</summary>
    /// <param name="Messages">The messages sent to the inner client (the caller's, or a copy with the context).</param>
    /// <param name="Agent">The agent.</param>
    /// <param name="SessionId">The session.</param>
    /// <param name="UserMessage">The latest user message with text, if any.</param>
    /// <param name="UserText">Its text when it is a new input to record, else <see langword="null"/>.</param>
    /// <param name="UserTime">When it was said.</param>
    private sealed record Exchange(
        IReadOnlyList<ChatMessage> Messages,
        string Agent,
        string SessionId,
        ChatMessage? UserMessage,
        string? UserText,
        DateTimeOffset UserTime);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "MemoryFabric agent '{Agent}' has no memory yet; no context added.")]
        public static partial void NoMemoryYet(ILogger logger, string agent);

        [LoggerMessage(2, LogLevel.Warning, "MemoryFabric context for agent '{Agent}' could not be fetched; the request goes on without it.")]
        public static partial void ContextFailed(ILogger logger, string agent, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "MemoryFabric could not record the exchange for agent '{Agent}'.")]
        public static partial void RecordFailed(ILogger logger, string agent, Exception exception);
    }
}
