using System.Net.Http.Headers;
using System.Net.Http.Json;
using MemoryFabric.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MemoryFabric.Server.Tests.Support;

/// <summary>The real server in memory (TestServer) over SQLite in a temporary directory, with the hashed embedder and
/// a known admin key.</summary>
public sealed class FabricServerFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key";

    private readonly Dictionary<string, string?> _settings;

    public FabricServerFactory(IDictionary<string, string?>? settings = null)
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "mf-server-tests-" + Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["MemoryFabric:DataDirectory"] = DataDirectory,
            ["MemoryFabric:Embedder"] = "hashing",
            ["MemoryFabric:AdminKey"] = AdminKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DataDirectory { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient CreateClient(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public HttpClient CreateAdminClient() => CreateClient(AdminKey);

    /// <summary>Creates a tenant and a key for it with every tenant scope (read, write, forget, guard); returns a
    /// client with that key.</summary>
    public async Task<HttpClient> CreateTenantClientAsync(string tenant)
    {
        using var admin = CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = tenant }, MemoryFabricJson.Options);
        if (created.StatusCode != System.Net.HttpStatusCode.Conflict)
        {
            created.EnsureSuccessStatusCode();
        }

        var key = await admin.PostAsJsonAsync($"/v1/admin/tenants/{tenant}/keys", new { name = "test", scopes = new[] { "read", "write", "forget", "guard" } }, MemoryFabricJson.Options);
        key.EnsureSuccessStatusCode();
        var body = await key.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return CreateClient(body.GetProperty("key").GetString());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
