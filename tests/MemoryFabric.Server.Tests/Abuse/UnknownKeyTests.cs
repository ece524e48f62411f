using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Abuse;

/// <summary>Unknown and revoked keys through the whole server, counting the tenant directory's look-ups with a grain
/// call filter.</summary>
public sealed class UnknownKeyTests : IDisposable
{
    private readonly FabricServerFactory _factory = new();
    private readonly ResolveCounter _counter = new();
    private readonly WebApplicationFactory<Program> _server;

    public UnknownKeyTests() =>
        _server = _factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IIncomingGrainCallFilter>(_counter)));

    public void Dispose()
    {
        _server.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task An_unknown_key_is_looked_up_in_the_tenant_directory_once_then_cached()
    {
        using var client = _server.CreateClient();

        // The server has started: its key warm-up (ApiKeyDirectoryWarmup) made its own look-up of a hash no key has.
        var atStart = _counter.Resolves;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKeys.NewSecret());
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/agents/bot")).StatusCode);
        }

        Assert.Equal(1, _counter.Resolves - atStart);
    }

    [Fact]
    public async Task A_revoked_key_stays_denied()
    {
        using var admin = _server.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FabricServerFactory.AdminKey);
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" })).EnsureSuccessStatusCode();
        var created = await (await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "ci" })).Content.ReadFromJsonAsync<JsonElement>();
        using var client = _server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/agents/bot")).StatusCode); // authenticated, cached

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/admin/tenants/acme/keys/{created.GetProperty("id").GetString()}")).StatusCode);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/agents/bot")).StatusCode);
            await Task.Delay(100); // across revocation checks
        }
    }

    /// <summary>Counts the calls that reach the tenant directory's <c>ResolveAsync</c>.</summary>
    private sealed class ResolveCounter : IIncomingGrainCallFilter
    {
        private int _resolves;

        public int Resolves => Volatile.Read(ref _resolves);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.DeclaringType == typeof(ITenantDirectoryGrain) && context.InterfaceMethod.Name == nameof(ITenantDirectoryGrain.ResolveAsync))
            {
                Interlocked.Increment(ref _resolves);
            }

            return context.Invoke();
        }
    }
}
