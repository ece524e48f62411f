namespace MemoryFabric.Api;

/// <summary>One agent of a tenant, as <c>GET /v1/agents</c> lists it.</summary>
/// <param name="Agent">The agent's name.</param>
/// <param name="Turns">How many turns are stored.</param>
/// <param name="Episodes">How many episodes exist.</param>
/// <param name="Notes">How many active notes exist.</param>
/// <param name="Quarantined">How many items the guard keeps out of retrieval (flagged or confirmed).</param>
/// <param name="DataBytes">The approximate stored size of the agent's state, in bytes.</param>
/// <param name="LastActivity">When the agent's state was last written, or <see langword="null"/> when that is not
/// known.</param>
public sealed record AgentListItem(
    string Agent,
    long Turns,
    long Episodes,
    long Notes,
    long Quarantined,
    long DataBytes,
    DateTimeOffset? LastActivity);
