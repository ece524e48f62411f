using System.ComponentModel;
using MemoryFabric.Api;
using MemoryFabric.Mcp.Access;
using MemoryFabric.Mcp.Results;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace MemoryFabric.Mcp.Tools;

/// <summary>The tenant tool: <c>list_agents</c>.</summary>
/// <param name="access">Gives the caller of the call.</param>
/// <param name="options">The bounds.</param>
/// <param name="time">The clock.</param>
[McpServerToolType]
internal sealed class AgentTools(IMemoryFabricMcpAccess access, IOptions<MemoryFabricMcpOptions> options, TimeProvider time)
    : FabricTools(access, options, time)
{
    [McpServerTool(Name = ToolNames.ListAgents, Title = "List agents", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Lists the agents (or users) that have a memory in this API key's tenant, by name, one page at a time: "
        + "pass next_cursor back as cursor for the next page. Needs the 'read' scope.")]
    [ToolScope(ApiScopes.Read)]
    public async Task<AgentListResult> ListAgentsAsync(
        [Description("next_cursor of the previous page; leave out for the first page.")] string? cursor = null,
        [Description("The most agents on this page (default 20, at most 100).")] int? limit = null,
        CancellationToken cancellationToken = default)
    {
        var size = Count(limit, "limit", Limits.DefaultListLimit, Limits.MaxListLimit);
        var caller = await CallerAsync(cancellationToken).ConfigureAwait(false);
        var page = await caller.Client.ListAgentsAsync(string.IsNullOrEmpty(cursor) ? null : cursor, size, prefix: null, cancellationToken).ConfigureAwait(false);
        var agents = page.Agents.Take(size).Select(a => new AgentView(a.Agent, a.Turns, a.Episodes, a.Notes, a.LastActivity)).ToList();
        return new AgentListResult(agents, page.NextCursor);
    }
}
