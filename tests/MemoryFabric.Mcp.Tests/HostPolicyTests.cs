using MemoryFabric.Server.Mcp;

namespace MemoryFabric.Mcp.Tests;

/// <summary>The Host/Origin rules of /mcp for the bindings a test server cannot take (a public address, configured
/// names); the loopback binding is tested end to end in <see cref="SecurityTests"/>.</summary>
public sealed class HostPolicyTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://+:80", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("https://memory.example.com:443", false)]
    public void A_binding_is_loopback_only_when_every_address_is(string address, bool loopback)
    {
        Assert.Equal(loopback, McpHostPolicy.AllLoopback([address]));
        Assert.False(McpHostPolicy.AllLoopback([address, "http://10.0.0.5:5080"]));
        Assert.True(McpHostPolicy.AllLoopback([])); // in-process: only this process reaches it
    }

    [Theory]
    [InlineData("memory.internal", "", true)]
    [InlineData("10.1.2.3", "", true)]
    [InlineData("memory.internal", "https://memory.internal", true)]
    [InlineData("memory.internal", "http://localhost:6274", true)]
    [InlineData("memory.internal", "https://evil.example.com", false)]
    [InlineData("memory.internal", "null", false)]
    [InlineData("", "", false)]
    public void Elsewhere_without_configuration_any_host_is_answered_but_only_its_own_or_a_loopback_origin(string host, string origin, bool allowed)
    {
        var policy = new McpHostPolicy([], loopbackOnly: false);
        Assert.Equal(allowed, policy.Refusal(host, origin) is null);
    }

    [Theory]
    [InlineData("memory.example.com", "", true)]
    [InlineData("MEMORY.example.com.", "", true)]
    [InlineData("eu.agents.example.org", "", true)]
    [InlineData("agents.example.org", "", false)]
    [InlineData("localhost", "", true)]
    [InlineData("evil.example.com", "", false)]
    [InlineData("memory.example.com", "https://eu.agents.example.org", true)]
    [InlineData("memory.example.com", "https://evil.example.com", false)]
    public void Configured_hosts_are_the_only_names_besides_loopback(string host, string origin, bool allowed)
    {
        var policy = new McpHostPolicy(["memory.example.com", "*.agents.example.org"], loopbackOnly: false);
        Assert.Equal(allowed, policy.Refusal(host, origin) is null);
        var refusal = new McpHostPolicy(["memory.example.com"], loopbackOnly: true).Refusal("evil.example.com", string.Empty);
        Assert.Contains("MemoryFabric:Mcp:AllowedHosts", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_star_allows_any_host()
    {
        var policy = new McpHostPolicy(["*"], loopbackOnly: true);
        Assert.Null(policy.Refusal("anything.example", "https://anything.example"));
    }
}
