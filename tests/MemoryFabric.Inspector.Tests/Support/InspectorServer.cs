using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Server.Tests.Support;
using Microsoft.Playwright;

namespace MemoryFabric.Inspector.Tests.Support;

/// <summary>The server as a user starts it (its own process, real Kestrel on a free loopback port, a temporary data
/// directory, the hashed embedder), seeded through the public API, and one headless Chromium driven by Playwright,
/// shared by every test of <see cref="InspectorTests"/>. Each test makes its own tenants and browser context.</summary>
public sealed class InspectorServer : IAsyncLifetime, IDisposable
{
    /// <summary>The Chromium the tests drive: <c>MEMFAB_CHROMIUM</c>, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("MEMFAB_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mf-inspector-" + Guid.NewGuid().ToString("N"));
    private readonly SemaphoreSlim _browserLock = new(1, 1);
    private ServerProcess? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string AdminKey { get; } = "inspector-admin-" + Guid.NewGuid().ToString("N");

    public Uri Address => _server?.Address ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>The origin the page is served from, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string Origin => Address.GetLeftPart(UriPartial.Authority);

    public void Dispose() => _browserLock.Dispose();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        _server = await ServerProcess.StartAsync(_dataDirectory, AdminKey);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
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
    }

    /// <summary>The browser, launched on first use. A missing Chromium fails the test with what to install: never a
    /// skip, so CI cannot pass without running the browser tests.</summary>
    public async Task<IBrowser> BrowserAsync()
    {
        await _browserLock.WaitAsync();
        try
        {
            if (_browser is null)
            {
                if (!File.Exists(ChromiumPath))
                {
                    Assert.Fail($"Chromium is not installed at {ChromiumPath}: the inspector's browser tests need it. Install it with "
                        + "'apt-get install -y chromium fonts-dejavu-core' (.ci/run does so when it runs as root), or set MEMFAB_CHROMIUM to a Chromium binary.");
                }

                _playwright = await Playwright.CreateAsync();
                _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
            }

            return _browser;
        }
        finally
        {
            _browserLock.Release();
        }
    }

    /// <summary>A new page in its own browser context (its own session storage), watched for dialogs, errors and
    /// requests to other origins.</summary>
    public async Task<InspectorPage> OpenAsync()
    {
        var browser = await BrowserAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 860 } });
        context.SetDefaultTimeout(15_000);
        return new InspectorPage(this, context, await context.NewPageAsync());
    }

    /// <summary>An HTTP client of the server with the admin key.</summary>
    public HttpClient Admin() => Client(AdminKey);

    /// <summary>An HTTP client of the server with a key (or none).</summary>
    public HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Creates a tenant (a fresh id from <paramref name="prefix"/>) and a key with every tenant scope.</summary>
    public async Task<Tenant> CreateTenantAsync(string prefix)
    {
        var id = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = Admin();
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id, name = prefix })).EnsureSuccessStatusCode();
        var created = await admin.PostAsJsonAsync($"/v1/admin/tenants/{id}/keys", new { name = "inspector", scopes = new[] { "read", "write", "forget", "guard" } });
        created.EnsureSuccessStatusCode();
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        return new Tenant(this, id, key);
    }
}

/// <summary>The browser tests share one server and one browser, and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class InspectorTests : ICollectionFixture<InspectorServer>
{
    public const string Name = "inspector";
}
