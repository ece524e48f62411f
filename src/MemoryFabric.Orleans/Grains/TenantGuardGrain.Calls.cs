// The calls of ITenantGuardActor, forwarded to the hosted actor (one grain request = one actor turn).
using MemoryFabric.Actors;
using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Orleans.Grains;

/// <content>The forwarded calls of <see cref="ITenantGuardActor"/>.</content>
public sealed partial class TenantGuardGrain
{
    /// <inheritdoc />
    public Task<TenantGuardSettings> GetSettingsAsync(CancellationToken cancellationToken = default) => Actor.GetSettingsAsync(cancellationToken);

    /// <inheritdoc />
    public Task<TenantGuardSettings> SetEnabledAsync(bool enabled, CancellationToken cancellationToken = default) => Actor.SetEnabledAsync(enabled, cancellationToken);

    /// <inheritdoc />
    public Task<AgentGuardPolicy> GetPolicyAsync(string agent, CancellationToken cancellationToken = default) => Actor.GetPolicyAsync(agent, cancellationToken);

    /// <inheritdoc />
    public Task<RelationGroup> AddMemberAsync(string group, string agent, CancellationToken cancellationToken = default) => Actor.AddMemberAsync(group, agent, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RemoveMemberAsync(string group, string agent, CancellationToken cancellationToken = default) => Actor.RemoveMemberAsync(group, agent, cancellationToken);

    /// <inheritdoc />
    public Task<bool> PublishClaimsAsync(string agent, IReadOnlyList<ConsensusClaim> claims, CancellationToken cancellationToken = default) => Actor.PublishClaimsAsync(agent, claims, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ConsensusClaim>> GetPeerClaimsAsync(string agent, IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default) => Actor.GetPeerClaimsAsync(agent, subjects, cancellationToken);
}
