using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MemoryFabric.Server.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Security;

/// <summary>Every route of the app against every single-scope key: each /v1 route needs exactly one scope, a key with
/// it gets through, every other key gets a 403 naming the scope. The routes come from the app's
/// <see cref="EndpointDataSource"/>, so a new route without a scope, or missing from the table below, fails.</summary>
public sealed class ScopeMatrixTests : IClassFixture<ScopeMatrixTests.Fixture>
{
    private readonly Fixture _fixture;

    public ScopeMatrixTests(Fixture fixture) => _fixture = fixture;

    // The security design: which scope each route needs. "admin" is the admin key's alone.
    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        ["GET /v1/agents"] = "read",
        ["GET /v1/agents/{agent}"] = "read",
        ["DELETE /v1/agents/{agent}"] = "forget",
        ["GET /v1/agents/{agent}/turns"] = "read",
        ["POST /v1/agents/{agent}/turns"] = "write",
        ["GET /v1/agents/{agent}/turns/{turnId}"] = "read",
        ["DELETE /v1/agents/{agent}/turns/{turnId}"] = "forget",
        ["POST /v1/agents/{agent}/turns/forget"] = "forget",
        ["GET /v1/agents/{agent}/sessions"] = "read",
        ["GET /v1/agents/{agent}/episodes"] = "read",
        ["GET /v1/agents/{agent}/activity"] = "read",
        ["POST /v1/agents/{agent}/search"] = "read",
        ["POST /v1/agents/{agent}/context"] = "read",
        ["POST /v1/agents/{agent}/consolidate"] = "write",
        ["GET /v1/agents/{agent}/notes"] = "read",
        ["POST /v1/agents/{agent}/notes"] = "write",
        ["GET /v1/agents/{agent}/notes/{id}"] = "read",
        ["PUT /v1/agents/{agent}/notes/{id}"] = "write",
        ["DELETE /v1/agents/{agent}/notes/{id}"] = "write",
        ["DELETE /v1/agents/{agent}/notes/{id}?purge=true"] = "forget",
        ["GET /v1/agents/{agent}/notes/{id}/history"] = "read",
        ["GET /v1/agents/{agent}/export"] = "read",
        ["POST /v1/agents/{agent}/import"] = "write",
        ["GET /v1/agents/{agent}/quarantine"] = "read",
        ["POST /v1/agents/{agent}/quarantine/{itemId}/release"] = "guard",
        ["POST /v1/agents/{agent}/quarantine/{itemId}/confirm"] = "guard",
        ["GET /v1/agents/{agent}/lessons"] = "read",
        ["DELETE /v1/agents/{agent}/lessons/{lessonId}"] = "guard",
        ["GET /v1/guard"] = "read",
        ["PUT /v1/guard"] = "guard",
        ["GET /v1/guard/groups"] = "read",
        ["PUT /v1/guard/groups/{group}/members/{agent}"] = "guard",
        ["DELETE /v1/guard/groups/{group}/members/{agent}"] = "guard",
        ["POST /v1/search"] = "read",
        ["POST /v1/admin/tenants"] = "admin",
        ["GET /v1/admin/tenants"] = "admin",
        ["POST /v1/admin/tenants/{tenant}/keys"] = "admin",
        ["GET /v1/admin/tenants/{tenant}/keys"] = "admin",
        ["DELETE /v1/admin/tenants/{tenant}/keys/{keyId}"] = "admin",
        ["DELETE /v1/admin/tenants/{tenant}"] = "admin",
        ["POST /v1/admin/backup"] = "admin",
        ["POST /v1/admin/tenants/{tenant}/reindex"] = "admin",
    };

    private static readonly string[] KeyScopes = ["read", "write", "forget", "guard", "admin"];

    [Fact]
    public void Every_v1_route_declares_exactly_one_scope_and_the_rest_stay_anonymous()
    {
        var routes = _fixture.Routes();
        Assert.NotEmpty(routes);
        var problems = new List<string>();
        foreach (var route in routes)
        {
            var policies = route.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            var anonymous = route.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            if (route.Pattern.StartsWith("/mcp", StringComparison.Ordinal))
            {
                // The MCP endpoint needs a tenant key of any scope; each tool checks its own (tests/MemoryFabric.Mcp.Tests).
                if (anonymous || policies.Count != 1 || policies[0] != "scope:tenant-key")
                {
                    problems.Add($"{route.Key}: {policies.Count} authorization policies ({string.Join(", ", policies)}), anonymous: {anonymous}; /mcp needs scope:tenant-key");
                }

                continue;
            }

            if (!route.Pattern.StartsWith("/v1", StringComparison.Ordinal))
            {
                if (!anonymous || policies.Count > 0)
                {
                    problems.Add($"{route.Key}: outside /v1 and not anonymous");
                }

                continue;
            }

            if (anonymous || policies.Count != 1 || policies[0] is not { } policy || !policy.StartsWith("scope:", StringComparison.Ordinal))
            {
                problems.Add($"{route.Key}: {policies.Count} authorization policies ({string.Join(", ", policies)}), anonymous: {anonymous}");
            }
            else if (!Expected.TryGetValue(route.Key, out var scope))
            {
                problems.Add($"{route.Key}: not in the scope table of this test");
            }
            else if (policy != "scope:" + scope && !(route.Key == "DELETE /v1/agents/{agent}/notes/{id}" && policy == "scope:write|purge:forget"))
            {
                problems.Add($"{route.Key}: declares {policy}, the design says {scope}");
            }
        }

        var missing = Expected.Keys.Where(k => !k.Contains('?', StringComparison.Ordinal) && routes.All(r => r.Key != k)).ToList();
        problems.AddRange(missing.Select(k => $"{k}: in the table but not in the app"));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

        // The service routes are there, and anonymous.
        Assert.Contains(routes, r => r.Pattern == "/healthz");
        Assert.Contains(routes, r => r.Pattern == "/metrics");
        Assert.Contains(routes, r => r.Pattern.StartsWith("/openapi/", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> Matrix()
    {
        var data = new TheoryData<string, string>();
        foreach (var route in Expected.Keys)
        {
            foreach (var key in KeyScopes)
            {
                data.Add(route, key);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task A_key_gets_through_exactly_the_routes_of_its_scope(string route, string keyScope)
    {
        var needed = Expected[route];
        using var client = _fixture.Client(keyScope);
        var (method, path) = Concrete(route);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = path.EndsWith("/import", StringComparison.Ordinal)
                ? new StringContent("{}\n", Encoding.UTF8, "application/x-ndjson")
                : new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (keyScope == needed)
        {
            Assert.True(response.StatusCode is not HttpStatusCode.Unauthorized and not HttpStatusCode.Forbidden,
                $"{route} with a '{keyScope}' key: {(int)response.StatusCode} {body}");
            Assert.True((int)response.StatusCode < 500, $"{route} with a '{keyScope}' key: {(int)response.StatusCode} {body}");
        }
        else
        {
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route} with a '{keyScope}' key: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.Equal(403, problem.GetProperty("status").GetInt32());
            Assert.Equal(needed, problem.GetProperty("requiredScope").GetString());
            if (keyScope != "admin" && needed != "admin")
            {
                Assert.Contains($"'{needed}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Without_a_key_or_with_a_wrong_one_every_v1_route_is_a_401_problem(string route)
    {
        var (method, path) = Concrete(route);
        foreach (var key in new[] { null, "mfk_not-a-real-key", "not-even-a-tenant-key" })
        {
            using var client = _fixture.Factory.CreateClient(key);
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(401, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        }
    }

    public static TheoryData<string> Routes() => new(Expected.Keys);

    [Fact]
    public async Task Service_routes_stay_anonymous_and_unknown_v1_routes_still_need_a_key()
    {
        using var anonymous = _fixture.Factory.CreateClient(key: null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/agents/bot/nothing-here")).StatusCode);
        using var reader = _fixture.Client("read");
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/v1/agents/bot/nothing-here")).StatusCode);
    }

    // A request for the route: parameters filled in, on an agent per route so that a purge does not disturb others.
    private static (string Method, string Path) Concrete(string route)
    {
        var space = route.IndexOf(' ', StringComparison.Ordinal);
        var method = route[..space];
        var path = route[(space + 1)..]
            .Replace("{agent}", "bot", StringComparison.Ordinal)
            .Replace("{id}", "n_missing", StringComparison.Ordinal)
            .Replace("{itemId}", "item-missing", StringComparison.Ordinal)
            .Replace("{lessonId}", "lesson-missing", StringComparison.Ordinal)
            .Replace("{group}", "crew", StringComparison.Ordinal)
            .Replace("{tenant}", route == "DELETE /v1/admin/tenants/{tenant}" ? "matrix-absent" : "matrix", StringComparison.Ordinal) // the fixture's tenant stays
            .Replace("{keyId}", "key_missing", StringComparison.Ordinal);
        return (method, path);
    }

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);

        public FabricServerFactory Factory { get; } = new(new Dictionary<string, string?> { ["MemoryFabric:TenantIndex:Enabled"] = "true" }); // every route answers below 500

        public HttpClient Client(string scope) => scope == "admin" ? Factory.CreateAdminClient() : Factory.CreateClient(_keys[scope]);

        public IReadOnlyList<Route> Routes()
        {
            var sources = Factory.Services.GetServices<EndpointDataSource>();
            var result = new List<Route>();
            foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
            {
                var pattern = "/" + (endpoint.RoutePattern.RawText ?? string.Empty).TrimStart('/').TrimEnd('/');
                foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                {
                    result.Add(new Route(method + " " + pattern, pattern, endpoint));
                }
            }

            return result.DistinctBy(r => r.Key).ToList();
        }

        public async Task InitializeAsync()
        {
            using var admin = Factory.CreateAdminClient();
            (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "matrix" })).EnsureSuccessStatusCode();
            foreach (var scope in new[] { "read", "write", "forget", "guard" })
            {
                var created = await admin.PostAsJsonAsync("/v1/admin/tenants/matrix/keys", new { name = scope, scopes = new[] { scope } });
                created.EnsureSuccessStatusCode();
                var body = await created.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal([scope], body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
                _keys[scope] = body.GetProperty("key").GetString()!;
            }
        }

        public Task DisposeAsync()
        {
            Factory.Dispose();
            return Task.CompletedTask;
        }
    }

    public sealed record Route(string Key, string Pattern, RouteEndpoint Endpoint);
}
