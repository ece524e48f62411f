using Microsoft.Extensions.AI;

namespace MemoryFabric.Client;

/// <summary>Options of <see cref="MemoryFabricChatClient"/>.</summary>
public sealed class MemoryFabricChatClientOptions : MemoryExchangeOptions
{
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

    /// <summary>Checks the options.</summary>
    /// <exception cref="InvalidOperationException">No agent is configured, or a value is invalid.</exception>
    internal void Validate()
    {
        if (AgentSelector is null && string.IsNullOrWhiteSpace(AgentName))
        {
            throw new InvalidOperationException(
                $"MemoryFabricChatClient needs an agent: set {nameof(AgentName)} or {nameof(AgentSelector)} of {nameof(MemoryFabricChatClientOptions)}.");
        }

        ValidateExchangeSettings();
    }

    /// <summary>Copies the options, so that later changes to the caller's instance have no effect.</summary>
    /// <returns>The copy.</returns>
    internal MemoryFabricChatClientOptions Clone() => (MemoryFabricChatClientOptions)MemberwiseClone();
}
