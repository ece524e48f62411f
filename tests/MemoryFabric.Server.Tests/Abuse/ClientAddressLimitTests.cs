using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Server.Security;
using MemoryFabric.Server.Tests.Support;
using MemoryFabric.Storage.Sqlite.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Abuse;

/// <summary>Requests without a valid key are limited per client address, before authentication; the in-memory test
/// server takes the client's address from a test header.</summary>
public sealed class ClientAddressLimitTests : IDisposable
{
    private const string AddressHeader = "X-Test-Client-Address";

    private readonly FabricServerFactory _factory = new(new Dictionary<string, string?>
    {
        ["MemoryFabric:AddressRateLimitPerSecond"] = "1",
        ["MemoryFabric:AddressRateLimitBurst"] = "5",
    });

    private readonly Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _server;

    public ClientAddressLimitTests() =>
        _server = _factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new AddressFromHeader())));

    public void Dispose()
    {
        _server.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task An_unauthenticated_flood_from_one_address_gets_429_after_the_limit()
    {
        using var flood = Client("203.0.113.7", key: null);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 20; i++)
        {
            flood.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKeys.NewSecret()); // a fresh unknown key each time
            var response = await flood.GetAsync("/v1/agents/bot");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited ??= response;
            }
        }

        Assert.All(statuses.Take(5), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.True(statuses.Count(s => s == HttpStatusCode.TooManyRequests) >= 12, string.Join(", ", statuses));
        Assert.NotNull(limited);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        var problem = await limited.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());

        // No key at all counts the same; another address is not affected.
        using var noKey = Client("203.0.113.7", key: null);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await noKey.GetAsync("/v1/agents/bot")).StatusCode);
        using var elsewhere = Client("198.51.100.1", ApiKeys.NewSecret());
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsewhere.GetAsync("/v1/agents/bot")).StatusCode);
    }

    [Fact]
    public async Task A_tenant_key_already_known_to_the_server_is_not_limited_by_its_address()
    {
        var key = await CreateTenantKeyAsync("acme");
        using var good = Client("203.0.113.9", key);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            Assert.Equal(HttpStatusCode.NotFound, (await good.GetAsync("/v1/agents/bot")).StatusCode); // authenticated: no such agent
            await Task.Delay(50);
        }
        while (!IsCached(key) && DateTime.UtcNow < deadline);
        Assert.True(IsCached(key));

        using var flood = Client("203.0.113.9", key: null);
        for (var i = 0; i < 10; i++)
        {
            flood.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKeys.NewSecret());
            await flood.GetAsync("/v1/agents/bot");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await flood.GetAsync("/v1/agents/bot")).StatusCode);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await good.GetAsync("/v1/agents/bot")).StatusCode); // authenticated: no such agent yet
        }

        using var admin = Client("203.0.113.9", FabricServerFactory.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/admin/tenants")).StatusCode);
    }

    [Fact]
    public void The_address_table_is_bounded()
    {
        var time = new ManualTimeProvider();
        var limiter = new ClientAddressLimiter(time, perSecond: 1, burst: 2);
        var refused = 0;
        for (var i = 0; i < ClientAddressLimiter.MaxAddresses + 5_000; i++)
        {
            var address = new IPAddress(BitConverter.GetBytes(0x0A000000 + i));
            if (!limiter.TryAcquire(address, out _) | !limiter.TryAcquire(address, out _))
            {
                refused++;
            }
        }

        Assert.True(limiter.TrackedAddresses <= ClientAddressLimiter.MaxAddresses);
        Assert.True(refused > 0); // beyond the table, new addresses share one bucket
        Assert.False(limiter.TryAcquire(IPAddress.Parse("10.0.0.0"), out var retryAfter) && limiter.TryAcquire(IPAddress.Parse("10.0.0.0"), out retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);

        // An IPv6 /64 is one client.
        Assert.Equal(ClientAddressLimiter.Partition(IPAddress.Parse("2001:db8::1")), ClientAddressLimiter.Partition(IPAddress.Parse("2001:db8::ffff:1")));
        Assert.NotEqual(ClientAddressLimiter.Partition(IPAddress.Parse("2001:db8::1")), ClientAddressLimiter.Partition(IPAddress.Parse("2001:db8:0:1::1")));
        Assert.Equal(ClientAddressLimiter.Partition(IPAddress.Parse("192.0.2.1")), ClientAddressLimiter.Partition(IPAddress.Parse("::ffff:192.0.2.1")));
    }

    private async Task<string> CreateTenantKeyAsync(string tenant)
    {
        using var admin = Client("192.0.2.200", FabricServerFactory.AdminKey);
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = tenant })).EnsureSuccessStatusCode();
        var created = await admin.PostAsJsonAsync($"/v1/admin/tenants/{tenant}/keys", new { name = "test" });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private bool IsCached(string key) =>
        _server.Services.GetRequiredService<ApiKeyCache>().IsRecentlyKnown(ApiKeys.Hash(key));

    private HttpClient Client(string address, string? key)
    {
        var client = _server.CreateClient();
        client.DefaultRequestHeaders.Add(AddressHeader, address);
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Sets the connection's remote address from the test header (TestServer has none).</summary>
    private sealed class AddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(AddressHeader, out var value))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(value.ToString());
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
