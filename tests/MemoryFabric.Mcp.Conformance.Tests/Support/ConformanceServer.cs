using MemoryFabric.Api;
using MemoryFabric.Client;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Mcp.Conformance.Tests.Support;

/// <summary>The MemoryFabric server as a user starts it (its own process from the built MemoryFabric.Server.dll,
/// <c>--urls</c> on a free loopback port, a temporary data directory, the hashed embedder), a tenant with a key of all
/// tenant scopes, and a <see cref="BearerProxy"/> presenting that key, for clients that cannot send it. Started on
/// first use, so tests that skip for want of their tools start nothing.</summary>
public sealed class ConformanceServer : IAsyncLifetime
{
    private const string AdminKey = "mcp-conformance-admin-key";
    private const string Tenant = "conformance";

    private readonly Lazy<Task> _started;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mf-mcp-conformance-" + Guid.NewGuid().ToString("N"));
    private ServerProcess? _server;
    private BearerProxy? _proxy;
    private string? _key;

    public ConformanceServer() => _started = new Lazy<Task>(StartOnceAsync);

    /// <summary>The server's <c>/mcp</c>, which needs the key.</summary>
    public Uri McpEndpoint => new(Server.Address, "/mcp");

    /// <summary>The proxy's <c>/mcp</c>: the server's, with the key added.</summary>
    public Uri ProxiedMcpEndpoint => new((_proxy ?? throw new InvalidOperationException("Not started.")).Address, "/mcp");

    /// <summary>The tenant's API key (all tenant scopes).</summary>
    public string Key => _key ?? throw new InvalidOperationException("Not started.");

    /// <summary>What the server process wrote (for failure messages).</summary>
    public string ServerOutput => _server?.Output ?? string.Empty;

    private ServerProcess Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <summary>Starts the server, makes the key and starts the proxy, once (later calls wait for the same start).</summary>
    public Task StartAsync() => _started.Value;

    private async Task StartOnceAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        _server = await ServerProcess.StartAsync(_dataDirectory, AdminKey, timeout.Token);
        using var http = new HttpClient { BaseAddress = _server.Address, Timeout = TimeSpan.FromSeconds(60) };
        var admin = new MemoryFabricAdminClient(http, new MemoryFabricClientOptions { ApiKey = AdminKey });
        await admin.CreateTenantAsync(Tenant, "MCP conformance", timeout.Token);
        _key = (await admin.CreateApiKeyAsync(Tenant, "mcp-conformance", trust: null, ApiScopes.TenantScopes, timeout.Token)).Key;
        _proxy = await BearerProxy.StartAsync(_server.Address, _key);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>One server for the conformance suite and the inspector, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ConformanceServerGroup : ICollectionFixture<ConformanceServer>
{
    public const string Name = "mcp-conformance-server";
}
