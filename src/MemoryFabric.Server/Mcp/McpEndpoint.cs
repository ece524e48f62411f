using MemoryFabric.Mcp;
using MemoryFabric.Mcp.Access;
using MemoryFabric.Server.Security;
using ModelContextProtocol.AspNetCore;

namespace MemoryFabric.Server.Mcp;

/// <summary>The MCP endpoint: the MemoryFabric tools over streamable HTTP at <c>/mcp</c> (the official SDK's
/// <c>MapMcp</c>), in every server, embedded or a silo of a cluster. Before any MCP handling a request passes the
/// <c>Host</c>/<c>Origin</c> check (<see cref="McpHostCheckMiddleware"/>, 403), the client-address limit, API key
/// authentication (no key or a wrong one: 401, nothing parsed) and the tenant-key policy (the admin key: 403); then
/// the tenant's rate limit and the body size limit, as for <c>/v1</c>. Each tool checks its own scope.</summary>
internal static class McpEndpoint
{
    /// <summary>The endpoint's path.</summary>
    public const string Path = "/mcp";

    /// <summary>Registers the MCP server, its tools and the per-request caller, unless <c>MemoryFabric:Mcp:Enabled</c>
    /// is false.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration.</param>
    public static void AddMcpEndpoint(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(MemoryFabricServerOptions.SectionName + ":Mcp");
        var endpoint = section.Get<McpEndpointOptions>() ?? new McpEndpointOptions();
        if (!endpoint.Enabled)
        {
            return;
        }

        services.Configure<MemoryFabricMcpOptions>(section.GetSection("Limits"));
        services.AddHttpContextAccessor();
        services.AddSingleton<IMemoryFabricMcpAccess, ServerMcpAccess>();
        var stateless = endpoint.Stateless
            ?? configuration.GetValue(MemoryFabricServerOptions.SectionName + ":" + nameof(MemoryFabricServerOptions.Mode), ServerMode.Embedded) == ServerMode.Cluster;
        services.AddMcpServer()
            .WithHttpTransport(o => o.SessionMode = stateless ? HttpServerSessionMode.Stateless : HttpServerSessionMode.StatefulForInitializeClients)
            .WithMemoryFabricTools();
    }

    /// <summary>Maps <c>/mcp</c> behind the tenant-key policy, unless the endpoint is disabled.</summary>
    /// <param name="app">The application.</param>
    public static void MapMcpEndpoint(this WebApplication app)
    {
        // Asks whether the endpoint is registered without resolving it (that would build the silo's services).
        if (app.Services.GetService<IServiceProviderIsService>()?.IsService(typeof(IMemoryFabricMcpAccess)) != true)
        {
            return;
        }

        app.MapMcp(Path).RequireAuthorization(ScopePolicies.TenantKey).ExcludeFromDescription();
    }
}
