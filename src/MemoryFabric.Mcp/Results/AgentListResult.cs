using System.ComponentModel;

namespace MemoryFabric.Mcp.Results;

/// <summary>One page of <c>list_agents</c>.</summary>
/// <param name="Agents">The agents of this page, by name.</param>
/// <param name="NextCursor">The cursor of the next page, or <see langword="null"/> on the last.</param>
public sealed record AgentListResult(
    [property: Description("The agents of this page, ordered by name.")] IReadOnlyList<AgentView> Agents,
    [property: Description("Pass as cursor for the next page; null on the last page.")] string? NextCursor);

/// <summary>One agent of <c>list_agents</c>.</summary>
/// <param name="Agent">The agent's name (the <c>agent</c> argument of the other tools).</param>
/// <param name="Turns">How many turns are stored.</param>
/// <param name="Episodes">How many episodes exist.</param>
/// <param name="Notes">How many active notes exist.</param>
/// <param name="LastActivity">When its memory was last written, if known.</param>
public sealed record AgentView(
    [property: Description("The agent's name: the agent argument of the other tools.")] string Agent,
    [property: Description("How many turns are stored.")] long Turns,
    [property: Description("How many episodes exist.")] long Episodes,
    [property: Description("How many active notes exist.")] long Notes,
    [property: Description("When its memory was last written, if known (ISO 8601).")] DateTimeOffset? LastActivity);
