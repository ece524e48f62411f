namespace MemoryFabric.Api;

/// <summary>What an agent's memory holds: the answer of <c>GET /v1/agents/{agent}</c>.</summary>
/// <param name="Agent">The agent's name.</param>
/// <param name="Turns">How many turns are stored.</param>
/// <param name="Episodes">How many episodes exist.</param>
/// <param name="Notes">How many active notes exist.</param>
/// <param name="PendingEmbeddings">How many items are stored but still wait for their embedding (not yet in the dense
/// index).</param>
public sealed record AgentSummary(string Agent, long Turns, long Episodes, long Notes, long PendingEmbeddings);
