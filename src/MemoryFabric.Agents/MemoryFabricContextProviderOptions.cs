using Microsoft.Agents.AI;

namespace MemoryFabric.Agents;

/// <summary>Options of <see cref="MemoryFabricContextProvider"/>.</summary>
public sealed class MemoryFabricContextProviderOptions
{
    /// <summary>The placeholder of <see cref="ContextTemplate"/> replaced by the context text.</summary>
    public const string ContextPlaceholder = "{context}";

    /// <summary>The MemoryFabric agent whose memory is used, when <see cref="AgentSelector"/> is not set. One of the
    /// two is required. Memory belongs to this agent, not to a session: what one session records, the next recalls.</summary>
    public string? AgentName { get; set; }

    /// <summary>Chooses the MemoryFabric agent per run from the Agent Framework agent and session (e.g. a user id kept
    /// in the session's state bag); takes precedence over <see cref="AgentName"/>.</summary>
    public Func<AIAgent, AgentSession?, string>? AgentSelector { get; set; }

    /// <summary>Chooses the MemoryFabric session the exchanges of an Agent Framework session are recorded in. When not
    /// set, or when it returns <see langword="null"/>, a session id is generated on the session's first run and kept in
    /// its <see cref="AgentSession.StateBag"/> (so it survives serialization); runs without a session share one id per
    /// provider instance.</summary>
    public Func<AgentSession?, string?>? SessionSelector { get; set; }

    /// <summary>The speaker name of recorded user turns (default "user").</summary>
    public string UserSpeaker { get; set; } = "user";

    /// <summary>The speaker name of recorded assistant turns (default "assistant").</summary>
    public string AssistantSpeaker { get; set; } = "assistant";

    /// <summary>The token budget of the context fetched for each run (default 1,000; tokens are
    /// ceil(characters / 4)).</summary>
    public int TokenBudget { get; set; } = 1000;

    /// <summary>The instructions that carry the context; <see cref="ContextPlaceholder"/> is replaced by the context.
    /// Default: <c>"Relevant memories:\n{context}"</c>.</summary>
    public string ContextTemplate { get; set; } = "Relevant memories:\n" + ContextPlaceholder;

    /// <summary>Whether to fetch the context before each run and add it to the run's instructions (default
    /// <see langword="true"/>).</summary>
    public bool InjectContext { get; set; } = true;

    /// <summary>Whether to record each successful run's exchange (the caller's user messages and the agent's reply) as
    /// turns (default <see langword="true"/>).</summary>
    public bool RecordExchange { get; set; } = true;

    /// <summary>Whether a memory failure (server unreachable, error status, timeout) fails the run. By default
    /// (<see langword="false"/>) it is logged and the run goes on without context, or the exchange goes unrecorded.
    /// A 404 on the context (an agent not written yet) is never a failure.</summary>
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
                $"MemoryFabricContextProvider needs an agent: set {nameof(AgentName)} or {nameof(AgentSelector)} of {nameof(MemoryFabricContextProviderOptions)}.");
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
    internal MemoryFabricContextProviderOptions Clone() => (MemoryFabricContextProviderOptions)MemberwiseClone();
}
