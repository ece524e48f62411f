namespace MemoryFabric.Server.Mcp;

/// <summary>The MCP endpoint's settings (configuration section <c>MemoryFabric:Mcp</c>; the tools' result bounds are
/// <c>MemoryFabric:Mcp:Limits</c>, <see cref="MemoryFabric.Mcp.MemoryFabricMcpOptions"/>).</summary>
public sealed class McpEndpointOptions
{
    /// <summary>Serve the MCP tools at <c>/mcp</c> (streamable HTTP). Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Whether MCP is served without sessions. <see langword="true"/>: every request stands alone, so any server
    /// of a cluster can answer it (no <c>GET /mcp</c> stream). <see langword="false"/>: a session (<c>Mcp-Session-Id</c>,
    /// bound to the API key that opened it) for clients that open one with <c>initialize</c>, so they get the
    /// server-to-client streams and a per-session log level, while clients of the stateless protocol revisions are
    /// served statelessly on the same endpoint; a session lives in one server's memory, so a cluster then needs
    /// session affinity at its load balancer. Default (<see langword="null"/>): sessions in the embedded mode,
    /// stateless in the cluster mode.</summary>
    public bool? Stateless { get; set; }

    /// <summary>The host names <c>/mcp</c> answers to (the <c>Host</c> header, and the host of an <c>Origin</c>
    /// header when a browser sends one), against DNS rebinding: exact names, <c>*.example.com</c> for subdomains, or
    /// <c>*</c> for any. Loopback names (localhost, 127.0.0.0/8, ::1) are always allowed. When empty: a server
    /// listening on loopback only answers loopback names only; one listening elsewhere answers any <c>Host</c> but
    /// refuses an <c>Origin</c> other than its own host or loopback. Refused requests get 403.</summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>The agent the tools use when a call names none, for every key. Default: none (the <c>agent</c>
    /// argument is then required).</summary>
    public string? DefaultAgent { get; set; }

    /// <summary>The default agent per API key id (<c>MemoryFabric:Mcp:KeyAgents:key_…=alice</c>), so that each
    /// desktop user's key reaches their own agent without naming it; before <see cref="DefaultAgent"/>.</summary>
    public IDictionary<string, string> KeyAgents { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
