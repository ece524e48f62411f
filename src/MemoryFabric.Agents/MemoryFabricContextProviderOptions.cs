using MemoryFabric.Client;
using Microsoft.Agents.AI;

namespace MemoryFabric.Agents;

/// <summary>Options of <see cref="MemoryFabricContextProvider"/>.</summary>
public sealed class MemoryFabricContextProviderOptions : MemoryExchangeOptions
{
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

    /// <summary>Checks the options.</summary>
    /// <exception cref="InvalidOperationException">No agent is configured, or a value is invalid.</exception>
    internal void Validate()
    {
        if (AgentSelector is null && string.IsNullOrWhiteSpace(AgentName))
        {
            throw new InvalidOperationException(
                $"MemoryFabricContextProvider needs an agent: set {nameof(AgentName)} or {nameof(AgentSelector)} of {nameof(MemoryFabricContextProviderOptions)}.");
        }

        ValidateExchangeSettings();
    }

    /// <summary>Copies the options, so that later changes to the caller's instance have no effect.</summary>
    /// <returns>The copy.</returns>
    internal MemoryFabricContextProviderOptions Clone() => (MemoryFabricContextProviderOptions)MemberwiseClone();
}
