using MemoryFabric.Guard;

namespace MemoryFabric.Api;

/// <summary>The answer of <c>GET /v1/agents/{agent}/quarantine</c>.</summary>
/// <param name="Items">The quarantine entries (flagged, confirmed and released, or those of the status asked for),
/// oldest first.</param>
public sealed record QuarantineList(IReadOnlyList<QuarantineEntry> Items);

/// <summary>The answer of <c>POST /v1/agents/{agent}/quarantine/{itemId}/release</c>.</summary>
/// <param name="ItemId">The released item.</param>
/// <param name="Status">Its status now: <see cref="QuarantineStatus.Released"/>.</param>
public sealed record ReleaseResult(string ItemId, QuarantineStatus Status);

/// <summary>The answer of <c>GET /v1/agents/{agent}/lessons</c>.</summary>
/// <param name="Lessons">The guard's lessons, revoked ones included, oldest first.</param>
public sealed record LessonList(IReadOnlyList<GuardLesson> Lessons);

/// <summary>The body of <c>PUT /v1/guard</c>.</summary>
/// <param name="Enabled">Whether the guard screens, checks consensus and quarantines for the tenant's agents
/// (required).</param>
public sealed record SetGuardRequest(bool? Enabled);

/// <summary>The answer of <c>GET /v1/guard/groups</c>.</summary>
/// <param name="Groups">The tenant's relation groups, by name.</param>
public sealed record RelationGroupList(IReadOnlyList<RelationGroup> Groups);
