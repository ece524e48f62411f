using MemoryFabric.Client.Orleans;
using MemoryFabric.Mcp.Access;
using MemoryFabric.Server.Security;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Mcp;

/// <summary>The caller of an MCP tool call over HTTP: the tenant, scopes and trust cap of the request's API key, and
/// an in-silo client bound to that tenant (grain calls, as the <c>/v1</c> routes make them), so the tenant comes from
/// the key only and no tool argument can reach another tenant's agent. Made once per request.</summary>
/// <param name="http">The current request.</param>
/// <param name="grains">The silo's grain factory.</param>
/// <param name="options">The server's settings.</param>
internal sealed class ServerMcpAccess(IHttpContextAccessor http, IGrainFactory grains, IOptions<MemoryFabricServerOptions> options) : IMemoryFabricMcpAccess
{
    private static readonly object ItemKey = new();

    public ValueTask<MemoryFabricMcpCaller> GetCallerAsync(CancellationToken cancellationToken)
    {
        var context = http.HttpContext ?? throw new InvalidOperationException("An MCP tool was called outside an HTTP request.");
        if (context.Items.TryGetValue(ItemKey, out var made) && made is MemoryFabricMcpCaller cached)
        {
            return ValueTask.FromResult(cached);
        }

        // Authorization let only tenant keys through (ScopePolicies.TenantKey).
        var identity = context.Features.Get<CallerIdentity>();
        if (identity?.Tenant is not { } tenant)
        {
            throw new InvalidOperationException("The MCP request was not authenticated with a tenant key.");
        }

        var server = options.Value;
        var client = new OrleansMemoryFabricClient(grains, tenant, new OrleansMemoryFabricClientOptions { MaxBatchSize = server.MaxBatchSize });
        var caller = new MemoryFabricMcpCaller(client)
        {
            DefaultAgent = server.Mcp.KeyAgents.TryGetValue(identity.KeyId, out var agent) ? agent : server.Mcp.DefaultAgent,
            Scopes = identity.Scopes,
            TrustCap = identity.Trust,
        };
        context.Items[ItemKey] = caller;
        return ValueTask.FromResult(caller);
    }
}
