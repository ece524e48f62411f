using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using MemoryFabric.Api;
using MemoryFabric.Client;
using MemoryFabric.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;

namespace MemoryFabric.Mcp.Tests.Support;

/// <summary>The MemoryFabric server as a user starts it (<see cref="MemoryFabricServer.Build"/> with <c>--urls</c>, as
/// <c>dotnet run --project src/MemoryFabric.Server</c> and <c>memfab serve</c> do): Kestrel on a free loopback port,
/// SQLite in a temporary data directory, the hashed embedder, a known admin key. Shared by the HTTP test classes.</summary>
public sealed class McpTestServer : IAsyncLifetime
{
    public const string AdminKey = "mcp-tests-admin-key";

    private readonly List<IAsyncDisposable> _clients = [];
    private WebApplication? _app;

    public McpTestServer()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "mf-mcp-tests-" + Guid.NewGuid().ToString("N"));
        Port = FreePort();
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    public Uri McpEndpoint => new(Address, "/mcp");

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        string[] args =
        [
            "--urls", Address.ToString().TrimEnd('/'),
            $"--MemoryFabric:DataDirectory={DataDirectory}",
            "--MemoryFabric:Embedder=hashing",
            $"--MemoryFabric:AdminKey={AdminKey}",
            "--Logging:LogLevel:Default=Warning",
        ];
        _app = MemoryFabricServer.Build(args, builder => builder.Logging.ClearProviders());
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public HttpClient Http(string? key = null)
    {
        var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    /// <summary>A tenant (created once) and a new key of it with <paramref name="scopes"/>.</summary>
    public Task<string> KeyAsync(string tenant, params string[] scopes) => KeyAsync(tenant, trust: null, scopes);

    /// <summary>A tenant (created once) and a new key of it with a trust cap and <paramref name="scopes"/>.</summary>
    public async Task<string> KeyAsync(string tenant, double? trust, params string[] scopes)
    {
        using var http = Http();
        var admin = new MemoryFabricAdminClient(http, new MemoryFabricClientOptions { ApiKey = AdminKey });
        try
        {
            await admin.CreateTenantAsync(tenant, tenant);
        }
        catch (MemoryFabricApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
        }

        var created = await admin.CreateApiKeyAsync(tenant, "mcp-tests", trust, scopes.Length == 0 ? ApiScopes.TenantScopes : scopes);
        return created.Key;
    }

    /// <summary>The HTTP API client of a key (to set up notes and check what MCP did).</summary>
    public MemoryFabricClient Api(string key) => new(Http(), new MemoryFabricClientOptions { ApiKey = key, MaxRetries = 0 });

    /// <summary>The SDK's own MCP client over streamable HTTP with a bearer key.</summary>
    public async Task<McpClient> ConnectAsync(string key)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = McpEndpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
        });
        var client = await McpClient.CreateAsync(transport);
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class McpServerGroup : ICollectionFixture<McpTestServer>
{
    public const string Name = "mcp-server";
}
