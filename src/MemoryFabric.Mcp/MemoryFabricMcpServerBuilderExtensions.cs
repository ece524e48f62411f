using MemoryFabric.Mcp.Diagnostics;
using MemoryFabric.Mcp.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelContextProtocol.Protocol;

namespace MemoryFabric.Mcp;

/// <summary>Adds the MemoryFabric tools to an MCP server (<c>services.AddMcpServer()</c>), for any transport.</summary>
public static class MemoryFabricMcpServerBuilderExtensions
{
    /// <summary>The server's name in the MCP handshake.</summary>
    public const string ServerName = "memoryfabric";

    /// <summary>What the server tells a client's model about itself (the handshake's <c>instructions</c>).</summary>
    public const string Instructions =
        "MemoryFabric is long-term memory for this agent or user. Before answering, call get_context with the user's message and "
        + "use its text; store what was said with add_memory (one turn, or a batch in turns). search_memory finds specific items, "
        + "list_notes/get_note show the distilled facts with their history, update_note corrects a fact (pass the version you read), "
        + "forget removes a note for good, list_agents names the agents. Every result is bounded; page with next_cursor.";

    /// <summary>Registers the tools (<c>add_memory</c>, <c>search_memory</c>, <c>get_context</c>, <c>list_notes</c>,
    /// <c>get_note</c>, <c>update_note</c>, <c>forget</c>, <c>list_agents</c>), the call filter (scopes, errors,
    /// metrics and traces) and the bounds (<see cref="MemoryFabricMcpOptions"/>). The application registers an
    /// <see cref="Access.IMemoryFabricMcpAccess"/> that gives each call its caller.</summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <returns>The builder.</returns>
    public static IMcpServerBuilder WithMemoryFabricTools(this IMcpServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<MemoryFabricMcpTelemetry>();
        builder.Services.AddOptions<MemoryFabricMcpOptions>()
            .Validate(IsValid, "The MemoryFabric MCP limits are invalid: every bound is positive and each default at most its cap.")
            .ValidateOnStart();
        builder.Services.Configure<ModelContextProtocol.Server.McpServerOptions>(o =>
        {
            o.ServerInfo ??= new Implementation { Name = ServerName, Version = typeof(MemoryFabricMcpServerBuilderExtensions).Assembly.GetName().Version?.ToString(3) ?? "1.0.0" };
            o.ServerInstructions ??= Instructions;
        });
        return builder
            .WithTools<MemoryTools>(MemoryFabricMcpJson.Options)
            .WithTools<NoteTools>(MemoryFabricMcpJson.Options)
            .WithTools<AgentTools>(MemoryFabricMcpJson.Options)
            .WithRequestFilters(filters => filters.AddCallToolFilter(ToolCallFilter.Create));
    }

    private static bool IsValid(MemoryFabricMcpOptions options)
    {
        try
        {
            options.Validate();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
