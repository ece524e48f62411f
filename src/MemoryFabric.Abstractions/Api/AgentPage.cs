namespace MemoryFabric.Api;

/// <summary>One page of a tenant's agents, the answer of <c>GET /v1/agents</c>.</summary>
/// <param name="Agents">The agents of this page, ordered by name (ordinal).</param>
/// <param name="NextCursor">The opaque cursor of the next page, or <see langword="null"/> when this page is the
/// last.</param>
public sealed record AgentPage(IReadOnlyList<AgentListItem> Agents, string? NextCursor);
