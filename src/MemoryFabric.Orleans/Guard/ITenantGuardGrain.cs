using MemoryFabric.Guard;

namespace MemoryFabric.Orleans.Guard;

/// <summary>A tenant's guard as a grain (key: the tenant id): the guard's on/off
/// switch, the relation groups, and the trusted claims the groups' agents share for consensus. It never calls an
/// agent, so agents can call it from their own turns without a cycle.</summary>
[Alias("memoryfabric.guard")]
public interface ITenantGuardGrain : IGrainWithStringKey
{
    /// <summary>The tenant's guard settings.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the guard runs, and the relation groups.</returns>
    Task<TenantGuardSettings> GetSettingsAsync(CancellationToken cancellationToken = default);

    /// <summary>Turns the guard on or off for the tenant's agents (each picks it up within
    /// <see cref="Agents.AgentMemoryGrainOptions.GuardPolicyRefresh"/>, or at once through
    /// <see cref="Agents.IAgentMemoryGrain.RefreshGuardAsync"/>).</summary>
    /// <param name="enabled">On or off.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The settings now.</returns>
    Task<TenantGuardSettings> SetEnabledAsync(bool enabled, CancellationToken cancellationToken = default);

    /// <summary>What one agent needs: whether the guard runs and the groups it belongs to.</summary>
    /// <param name="agent">The agent name (without the tenant).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The policy.</returns>
    Task<AgentGuardPolicy> GetPolicyAsync(string agent, CancellationToken cancellationToken = default);

    /// <summary>Adds an agent to a relation group (creating the group).</summary>
    /// <param name="group">The group name.</param>
    /// <param name="agent">The agent name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group.</returns>
    Task<RelationGroup> AddMemberAsync(string group, string agent, CancellationToken cancellationToken = default);

    /// <summary>Removes an agent from a relation group (an empty group goes away).</summary>
    /// <param name="group">The group name.</param>
    /// <param name="agent">The agent name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when the agent was not a member.</returns>
    Task<bool> RemoveMemberAsync(string group, string agent, CancellationToken cancellationToken = default);

    /// <summary>Stores the claims an agent's trusted memories back, for its groups' consensus.</summary>
    /// <param name="agent">The agent name.</param>
    /// <param name="claims">Its trusted claims (replacing what it shared before).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when the agent belongs to no group (nothing is stored).</returns>
    Task<bool> PublishClaimsAsync(string agent, IReadOnlyList<ConsensusClaim> claims, CancellationToken cancellationToken = default);

    /// <summary>The trusted claims of the other agents of an agent's groups about some subjects.</summary>
    /// <param name="agent">The asking agent.</param>
    /// <param name="subjects">The subjects (case-insensitive).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claims, each naming its agent.</returns>
    Task<IReadOnlyList<ConsensusClaim>> GetPeerClaimsAsync(string agent, IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default);

    /// <summary>Removes the tenant's guard for good (the tenant is deleted): its settings, relation groups and every
    /// agent's shared claims; the next activation starts from the defaults.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the removal is durable.</returns>
    Task ClearAsync(CancellationToken cancellationToken = default);
}
