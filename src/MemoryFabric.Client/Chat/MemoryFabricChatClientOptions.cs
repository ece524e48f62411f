using Microsoft.Extensions.AI;

namespace MemoryFabric.Client;

/// <summary>Options of <see cref="MemoryFabricChatClient"/>.</summary>
public sealed class MemoryFabricChatClientOptions
{
    /// <summary>The placeholder of <see cref="ContextTemplate"/> replaced by the context text.</summary>
    public const string ContextPlaceholder = "{context}";

    /// <summary>The agent whose memory is used, when <see cref="AgentSelector"/> is not set. One of the two is
    /// required.</summary>
    public string? AgentName { get; set; }

    /// <summary>Chooses the agent per request from the messages and options (e.g. the user id of
    /// <see cref="ChatOptions.AdditionalProperties"/>); takes precedence over <see cref="AgentName"/>.</summary>
    public Func<IEnumerable<ChatMessage>, ChatOptions?, string>? AgentSelector { get; set; }

    /// <summary>The session the exchanges are recorded in, when <see cref="SessionSelector"/> is not set. When neither
    /// is set: <see cref="ChatOptions.ConversationId"/> if the request has one, otherwise a session id generated once
    /// per <see cref="MemoryFabricChatClient"/> instance.</summary>
    public string? SessionId { get; set; }

    /// <summary>Chooses the session per request; takes precedence over <see cref="SessionId"/>.</summary>
    public Func<IEnumerable<ChatMessage>, ChatOptions?, string>? SessionSelector { get; set; }

    /// <summary>The speaker name of recorded user turns (default "user").</summary>
    public string UserSpeaker { get; set; } = "user";

    /// <summary>The speaker name of recorded assistant turns (default "assistant").</summary>
    public string AssistantSpeaker { get; set; } = "assistant";

    /// <summary>The token budget of the context fetched for each request (default 1,000; tokens are
    /// ceil(characters / 4)).</summary>
    public int TokenBudget { get; set; } = 1000;

    /// <summary>The text of the system message that carries the context; <see cref="ContextPlaceholder"/> is replaced
    /// by the context. Default: <c>"Relevant memories:\n{context}"</c>.</summary>
    public string ContextTemplate { get; set; } = "Relevant memories:\n" + ContextPlaceholder;

    /// <summary>Whether to fetch the context and add it as a system message in front of the messages (default
    /// <see langword="true"/>).</summary>
    public bool InjectContext { get; set; } = true;

    /// <summary>Whether to record each exchange (the user's message and the assistant's reply) as turns after a
    /// successful response (default <see langword="true"/>).</summary>
    public bool RecordExchange { get; set; } = true;

    /// <summary>Whether a memory failure (server unreachable, error status, timeout) fails the chat request. By
    /// default (<see langword="false"/>) it is logged and the request goes on without context, or the exchange goes
    /// unrecorded. A 404 on the context (an agent not written yet) is never a failure.</summary>
    public bool ThrowOnMemoryErrors { get; set; }

    /// <summary>The clock of the recorded turns' timestamps (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks the options.</summary>
    /// <exception cref="InvalidOperationException">No agent is configured, or a value is invalid.</exception>
    internal void Validate()
    {
        if (AgentSelector is null && string.IsNullOrWhiteSpace(AgentName))
        {
            throw new InvalidOperationException(
                $"MemoryFabricChatClient needs an agent: set {nameof(AgentName)} or {nameof(AgentSelector)} of {nameof(MemoryFabricChatClientOptions)}.");
        }

        if (TokenBudget < 1)
        {
            throw new InvalidOperationException($"{nameof(TokenBudget)} must be at least 1, not {TokenBudget}.");
        }

        if (string.IsNullOrWhiteSpace(UserSpeaker) || string.IsNullOrWhiteSpace(AssistantSpeaker))
        {
            throw new InvalidOperationException($"{nameof(UserSpeaker)} and {nameof(AssistantSpeaker)} must not be blank.");
        }

        if (ContextTemplate is null || !ContextTemplate.Contains(ContextPlaceholder, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{nameof(ContextTemplate)} must contain the placeholder {ContextPlaceholder}.");
        }

        if (TimeProvider is null)
        {
            throw new InvalidOperationException($"{nameof(TimeProvider)} must not be null.");
        }
    }

    /// <summary>Copies the options, so that later changes to the caller's instance have no effect.</summary>
    /// <returns>The copy.</returns>
    internal MemoryFabricChatClientOptions Clone() => (MemoryFabricChatClientOptions)MemberwiseClone();
}
