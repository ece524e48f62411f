using MemoryFabric.Server.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Mcp;

/// <summary>Refuses <c>/mcp</c> requests whose <c>Host</c> or <c>Origin</c> header <see cref="McpHostPolicy"/> does
/// not allow, with 403 problem+json, before the API key is looked at or the body read. Other paths pass.</summary>
/// <param name="next">The rest of the pipeline.</param>
/// <param name="server">The server, for the addresses it listens on (known once it started).</param>
/// <param name="options">The server's settings.</param>
internal sealed class McpHostCheckMiddleware(RequestDelegate next, IServer server, IOptions<MemoryFabricServerOptions> options)
{
    private McpHostPolicy? _policy;

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(McpEndpoint.Path, StringComparison.Ordinal))
        {
            return next(context);
        }

        var refusal = Policy().Refusal(context.Request.Host.Host, context.Request.Headers.Origin.ToString());
        return refusal is null
            ? next(context)
            : Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "forbidden-host", "Host or origin not allowed", refusal);
    }

    // The addresses are final once the server started, which it has by the first request.
    private McpHostPolicy Policy() => _policy ??= new McpHostPolicy(
        [.. options.Value.Mcp.AllowedHosts],
        McpHostPolicy.AllLoopback(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []));
}
