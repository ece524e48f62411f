using System.Net;
using MemoryFabric.Api;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Client.Tests;

public sealed class AdminAndDependencyInjectionTests
{
    [Fact]
    public async Task Admin_routes_use_the_right_methods_paths_bodies_and_key()
    {
        var handler = new StubHandler(r => r switch
        {
            { RawPath: "/v1/admin/tenants", Method.Method: "POST" } =>
                StubHandler.Json("""{"id":"acme","name":"Acme Inc.","createdAt":"2024-05-01T12:00:00+00:00"}""", HttpStatusCode.Created),
            { RawPath: "/v1/admin/tenants", Method.Method: "GET" } =>
                StubHandler.Json("""{"tenants":[{"id":"acme","name":"Acme Inc.","createdAt":"2024-05-01T12:00:00+00:00"}]}"""),
            { RawPath: "/v1/admin/tenants/acme/keys", Method.Method: "POST" } => StubHandler.Json(
                """{"id":"key_1","name":"ci","tenant":"acme","createdAt":"2024-05-01T12:00:00+00:00","key":"mfk_secret"}""", HttpStatusCode.Created),
            { RawPath: "/v1/admin/tenants/acme/keys", Method.Method: "GET" } =>
                StubHandler.Json("""{"keys":[{"id":"key_1","name":"ci","tenant":"acme","createdAt":"2024-05-01T12:00:00+00:00"}]}"""),
            { RawPath: "/v1/admin/tenants/acme/keys/key_1", Method.Method: "DELETE" } => StubHandler.Status(HttpStatusCode.NoContent),
            _ => StubHandler.Problem(HttpStatusCode.NotFound, "Not Found"),
        });
        var admin = new MemoryFabricAdminClient(new HttpClient(handler), new() { Endpoint = new Uri("http://memory.test"), ApiKey = "admin_key" });

        var tenant = await admin.CreateTenantAsync("acme", "Acme Inc.");
        var tenants = await admin.ListTenantsAsync();
        var key = await admin.CreateApiKeyAsync("acme", "ci");
        var keys = await admin.ListApiKeysAsync("acme");
        await admin.RevokeApiKeyAsync("acme", "key_1");

        Assert.All(handler.Requests, r => Assert.Equal("Bearer admin_key", r.Authorization));
        Assert.Equal("acme", (string?)handler.Requests[0].Json["id"]);
        Assert.Equal("Acme Inc.", (string?)handler.Requests[0].Json["name"]);
        Assert.Equal(new TenantInfo("acme", "Acme Inc.", new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero)), tenant);
        Assert.Equal([tenant], tenants);
        Assert.Equal("ci", (string?)handler.Requests[2].Json["name"]);
        Assert.Equal("mfk_secret", key.Key);
        Assert.DoesNotContain("mfk_secret", key.ToString(), StringComparison.Ordinal);
        Assert.Equal([key.ToApiKeyInfo()], keys);
        Assert.Equal(HttpMethod.Delete, handler.Requests[4].Method);
        Assert.Equal(5, handler.Requests.Count);
    }

    [Fact]
    public async Task A_conflict_surfaces_as_409()
    {
        var handler = new StubHandler(_ => StubHandler.Problem(HttpStatusCode.Conflict, "Conflict", "Tenant 'acme' exists."));
        var admin = new MemoryFabricAdminClient(new HttpClient(handler), new() { ApiKey = "admin_key" });

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => admin.CreateTenantAsync("acme", "Acme"));

        Assert.Equal(HttpStatusCode.Conflict, e.StatusCode);
        Assert.Contains("Tenant 'acme' exists.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMemoryFabricClient_and_admin_client_use_IHttpClientFactory_with_their_own_options()
    {
        var handler = new StubHandler(r => r.RawPath.StartsWith("/v1/admin", StringComparison.Ordinal)
            ? StubHandler.Json("""{"tenants":[]}""")
            : StubHandler.Json("""{"turns":[]}"""));
        var services = new ServiceCollection();
        services.AddMemoryFabricClient(o =>
            {
                o.Endpoint = new Uri("http://memory.test:5080");
                o.ApiKey = "mfk_tenant";
            })
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        services.AddMemoryFabricAdminClient(o =>
            {
                o.Endpoint = new Uri("http://admin.test:5080");
                o.ApiKey = "admin_key";
            })
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IMemoryFabricClient>();
        var admin = provider.GetRequiredService<IMemoryFabricAdminClient>();
        await client.GetTurnsAsync("bob");
        await admin.ListTenantsAsync();

        Assert.IsType<MemoryFabricClient>(client);
        Assert.Equal("http://memory.test:5080/v1/agents/bob/turns", handler.Requests[0].Uri.AbsoluteUri);
        Assert.Equal("Bearer mfk_tenant", handler.Requests[0].Authorization);
        Assert.Equal("http://admin.test:5080/v1/admin/tenants", handler.Requests[1].Uri.AbsoluteUri);
        Assert.Equal("Bearer admin_key", handler.Requests[1].Authorization);
    }
}
