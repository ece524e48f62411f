using System.Net;
using System.Text;
using System.Text.Json;
using MemoryFabric.Client;
using MemoryFabric.Conversation;
using MemoryFabric.Retrieval;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MemoryFabric.Agents;

/// <summary>
/// A Microsoft Agent Framework <see cref="AIContextProvider"/> that gives an agent MemoryFabric long-term memory:
/// before each run it fetches the memories relevant to the run's latest user message and adds them to the run's
/// instructions; after a successful run it records the exchange (the caller's user messages and the agent's reply) as
/// turns of the agent's memory.
/// </summary>
/// <remarks>
/// <para>It takes an <see cref="IMemoryFabricClient"/>, so it works the same over the HTTP client
/// (<see cref="MemoryFabricClient"/>) and the Orleans client (<c>OrleansMemoryFabricClient</c>).</para>
/// <para>Memory belongs to the MemoryFabric agent (<see cref="MemoryFabricContextProviderOptions.AgentName"/>), not to
/// an Agent Framework session: what is said in one session is recalled in the next. Each session's exchanges are
/// recorded under a MemoryFabric session id kept in the session's <see cref="AgentSession.StateBag"/>.</para>
/// <para>Only the caller's messages (source <see cref="AgentRequestMessageSourceType.External"/>) are searched for and
/// recorded: chat history and other providers' messages are not recorded again. The context goes into
/// <see cref="AIContext.Instructions"/>, which apply to the current run only and never enter the chat history.</para>
/// <para>A message's <see cref="ChatMessage.MessageId"/> becomes its turn id, so a message sent twice is stored once.
/// By default a memory failure is logged and the run goes on (see
/// <see cref="MemoryExchangeOptions.ThrowOnMemoryErrors"/>); a 404 on the context (an agent never written)
/// simply means no context.</para>
/// <code>
/// AIAgent agent = chatClient.AsAIAgent(new ChatClientAgentOptions
/// {
///     ChatOptions = new() { Instructions = "You are a helpful assistant." },
///     AIContextProviders = [new MemoryFabricContextProvider(memory, new() { AgentName = "caroline" })],
/// });
/// </code>
/// </remarks>
public sealed partial class MemoryFabricContextProvider : AIContextProvider
{
    /// <summary>The key of the MemoryFabric session id in <see cref="AgentSession.StateBag"/>.</summary>
    public const string SessionStateKey = "MemoryFabric.SessionId";

    private readonly IMemoryFabricClient _memory;
    private readonly MemoryFabricContextProviderOptions _options;
    private readonly ILogger _logger;
    private readonly string _defaultSessionId = NewId("agent-session-");

    /// <summary>Initializes a new instance.</summary>
    /// <param name="memory">The MemoryFabric client (HTTP or Orleans).</param>
    /// <param name="options">The agent, budget and policies (copied: later changes have no effect).</param>
    /// <param name="loggerFactory">Creates the logger of tolerated memory failures; none when <see langword="null"/>.</param>
    /// <exception cref="InvalidOperationException">The options name no agent or are invalid.</exception>
    public MemoryFabricContextProvider(IMemoryFabricClient memory, MemoryFabricContextProviderOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _memory = memory;
        _options = options.Clone();
        _logger = loggerFactory?.CreateLogger<MemoryFabricContextProvider>() ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The MemoryFabric session id the exchanges of <paramref name="session"/> are recorded under: the
    /// <see cref="MemoryFabricContextProviderOptions.SessionSelector"/>'s choice, else the id kept in the session's
    /// state bag (created on first use), else, without a session, one id per provider.</summary>
    /// <param name="session">The Agent Framework session, if any.</param>
    /// <returns>The session id.</returns>
    public string GetSessionId(AgentSession? session)
    {
        if (_options.SessionSelector?.Invoke(session) is { } chosen && !string.IsNullOrWhiteSpace(chosen))
        {
            return chosen;
        }

        if (session is null)
        {
            return _defaultSessionId;
        }

        if (session.StateBag.TryGetValue<string>(SessionStateKey, out var existing, JsonSerializerOptions.Default)
            && !string.IsNullOrWhiteSpace(existing))
        {
            return existing;
        }

        var created = NewId("agent-session-");
        session.StateBag.SetValue(SessionStateKey, created, JsonSerializerOptions.Default);
        return created;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(IMemoryFabricClient) ? _memory : base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    protected override async ValueTask<AIContext> ProvideAIContextAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var query = context.AIContext.Messages?.LastOrDefault(m => m.Role == ChatRole.User && !string.IsNullOrWhiteSpace(m.Text))?.Text;
        if (!_options.InjectContext || query is null)
        {
            return new AIContext();
        }

        var agent = AgentOf(context.Agent, context.Session);
        MemoryContext? memory = null;
        try
        {
            memory = await _memory.GetContextAsync(
                agent, new ContextRequest { Query = query, TokenBudget = _options.TokenBudget }, cancellationToken).ConfigureAwait(false);
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

        return memory is null || string.IsNullOrWhiteSpace(memory.Text)
            ? new AIContext()
            : new AIContext
            {
                Instructions = _options.RenderContext(memory.Text),
            };
    }

    /// <inheritdoc />
    /// <remarks>Called for successful runs only; <paramref name="context"/> holds the caller's messages of this run and
    /// the agent's response messages.</remarks>
    protected override async ValueTask StoreAIContextAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_options.RecordExchange)
        {
            return;
        }

        var agent = AgentOf(context.Agent, context.Session);
        var sessionId = GetSessionId(context.Session);
        var now = _options.TimeProvider.GetUtcNow();
        var turns = new List<TurnInput>(2);
        var lastUserTime = DateTimeOffset.MinValue;
        foreach (var message in context.RequestMessages)
        {
            if (message.Role != ChatRole.User || string.IsNullOrWhiteSpace(message.Text))
            {
                continue;
            }

            var time = message.CreatedAt ?? now;
            lastUserTime = time > lastUserTime ? time : lastUserTime;
            turns.Add(new TurnInput
            {
                Id = string.IsNullOrWhiteSpace(message.MessageId) ? NewId("agent-") : message.MessageId,
                SessionId = sessionId,
                Speaker = _options.UserSpeaker,
                Role = TurnRole.User,
                Text = message.Text,
                Timestamp = time,
            });
        }

        var reply = new StringBuilder();
        string? replyId = null;
        foreach (var message in context.ResponseMessages ?? [])
        {
            if (message.Role == ChatRole.Assistant && !string.IsNullOrWhiteSpace(message.Text))
            {
                reply.Append(reply.Length == 0 ? string.Empty : "\n").Append(message.Text);
                replyId = string.IsNullOrWhiteSpace(message.MessageId) ? replyId : message.MessageId;
            }
        }

        if (reply.Length > 0)
        {
            turns.Add(new TurnInput
            {
                Id = replyId ?? NewId("agent-"),
                SessionId = sessionId,
                Speaker = _options.AssistantSpeaker,
                Role = TurnRole.Assistant,
                Text = reply.ToString(),
                Timestamp = now < lastUserTime ? lastUserTime : now,
                Metadata = string.IsNullOrWhiteSpace(context.Agent.Name) ? null : new Dictionary<string, string> { ["agentName"] = context.Agent.Name },
            });
        }

        if (turns.Count == 0)
        {
            return;
        }

        try
        {
            await _memory.IngestAsync(agent, turns, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTolerable(e, cancellationToken))
        {
            Log.RecordFailed(_logger, agent, e);
        }
    }

    private string AgentOf(AIAgent agent, AgentSession? session)
    {
        var name = _options.AgentSelector?.Invoke(agent, session) ?? _options.AgentName;
        return string.IsNullOrWhiteSpace(name)
            ? throw new InvalidOperationException($"{nameof(MemoryFabricContextProviderOptions.AgentSelector)} returned no agent name.")
            : name;
    }

    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N");

    /// <summary>Whether a memory failure is swallowed: never the caller's cancellation nor a usage error (an invalid
    /// agent name), only when the policy allows; any other failure of the HTTP or Orleans client is.</summary>
    private bool IsTolerable(Exception exception, CancellationToken cancellationToken) =>
        !_options.ThrowOnMemoryErrors
        && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        && exception is not (ArgumentException or InvalidOperationException);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "MemoryFabric agent '{Agent}' has no memory yet; no context added.")]
        public static partial void NoMemoryYet(ILogger logger, string agent);

        [LoggerMessage(2, LogLevel.Warning, "MemoryFabric context for agent '{Agent}' could not be fetched; the run goes on without it.")]
        public static partial void ContextFailed(ILogger logger, string agent, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "MemoryFabric could not record the exchange for agent '{Agent}'.")]
        public static partial void RecordFailed(ILogger logger, string agent, Exception exception);
    }
}
