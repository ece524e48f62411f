using MemoryFabric.Client.Orleans;
using MemoryFabric.Mcp.Tests.Support;
using MemoryFabric.Server;
using MemoryFabric.Server.Mcp;
using MemoryFabric.Server.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Mcp.Tests;

/// <summary>The caller the server gives a tool call: the request key's tenant, scopes and trust cap, and the default
/// agent configured for the key (<c>MemoryFabric:Mcp:KeyAgents</c>) or for all (<c>MemoryFabric:Mcp:DefaultAgent</c>).</summary>
[Collection(McpServerGroup.Name)]
public sealed class CallerTests(McpTestServer server)
{
    [Fact]
    public async Task The_caller_is_the_request_keys_tenant_with_its_configured_default_agent()
    {
        var options = new MemoryFabricServerOptions { Mcp = new McpEndpointOptions { DefaultAgent = "desk", KeyAgents = { ["key_alice"] = "alice" } } };
        var grains = server.Services.GetRequiredService<IGrainFactory>();

        var alice = await CallerAsync(new CallerIdentity("acme", "key_alice") { Scopes = ["read"], Trust = 0.5 });
        Assert.Equal("alice", alice.DefaultAgent);
        Assert.Equal(["read"], alice.Scopes);
        Assert.Equal(0.5, alice.TrustCap);
        Assert.Equal("acme", Assert.IsType<OrleansMemoryFabricClient>(alice.Client).Tenant);
        Assert.False(alice.Holds("write"));

        var other = await CallerAsync(new CallerIdentity("acme", "key_other") { Scopes = ["read", "write"] });
        Assert.Equal("desk", other.DefaultAgent);
        Assert.Null(other.TrustCap);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await CallerAsync(new CallerIdentity(null, "admin")));

        async Task<Access.MemoryFabricMcpCaller> CallerAsync(CallerIdentity identity)
        {
            var context = new DefaultHttpContext();
            context.Features.Set(identity);
            var access = new ServerMcpAccess(new HttpContextAccessor { HttpContext = context }, grains, Options.Create(options));
            var caller = await access.GetCallerAsync(CancellationToken.None);
            Assert.Same(caller, await access.GetCallerAsync(CancellationToken.None)); // made once per request
            return caller;
        }
    }
}
