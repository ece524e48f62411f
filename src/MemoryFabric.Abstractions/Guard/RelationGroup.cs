namespace MemoryFabric.Guard;

/// <summary>A relation group: agents of one tenant whose trusted memories back or contradict each other's weak ones
/// in the guard's consensus.</summary>
/// <param name="Name">The group name.</param>
/// <param name="Members">The member agents, sorted.</param>
public sealed record RelationGroup(string Name, IReadOnlyList<string> Members);

/// <summary>A tenant's guard settings.</summary>
/// <param name="Enabled">Whether the guard screens, checks consensus and quarantines for the tenant's agents.</param>
/// <param name="Groups">The tenant's relation groups.</param>
public sealed record TenantGuardSettings(bool Enabled, IReadOnlyList<RelationGroup> Groups);

/// <summary>What one agent needs to know of its tenant's guard settings.</summary>
/// <param name="Enabled">Whether the guard runs for the tenant.</param>
/// <param name="Groups">The relation groups the agent belongs to.</param>
public sealed record AgentGuardPolicy(bool Enabled, IReadOnlyList<string> Groups);
