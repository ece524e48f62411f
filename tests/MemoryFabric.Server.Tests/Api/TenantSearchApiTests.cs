using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Server.Tests.Api;

/// <summary><c>POST /v1/search</c>: a tenant-wide dense search through the tenant's vector shards (embedded server,
/// SQLite, hashing embedder), read-after-write, forgets and deletes, tenant isolation, bad input as problem+json.</summary>
public sealed class TenantSearchApiTests : IDisposable
{
    private readonly FabricServerFactory _factory = new(new Dictionary<string, string?> { ["MemoryFabric:TenantIndex:Enabled"] = "true" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task With_the_tenant_index_off_as_by_default_a_tenant_wide_search_is_a_501_that_says_how_to_turn_it_on()
    {
        using var factory = new FabricServerFactory();
        using var client = await factory.CreateTenantClientAsync("acme");
        (await client.PostAsJsonAsync("/v1/agents/desk-1/turns", Turns.Batch(Turns.One("d1-1", "The printer on floor two jams on glossy paper.")))).EnsureSuccessStatusCode();

        var response = await client.PostAsJsonAsync("/v1/search", new { query = "printer", limit = 2 });

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.EndsWith("/tenant-index-disabled", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Contains("MemoryFabric:TenantIndex:Enabled=true", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        (await client.PostAsJsonAsync("/v1/agents/desk-1/search", new { query = "printer" })).EnsureSuccessStatusCode(); // an agent's own search is unaffected
    }

    [Fact]
    public async Task A_turn_written_a_moment_ago_is_found_across_the_tenants_agents_with_its_agent_named()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        (await client.PostAsJsonAsync("/v1/agents/desk-1/turns", Turns.Batch(Turns.One("d1-1", "The printer on floor two jams on glossy paper.")))).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/v1/agents/desk-2/turns", Turns.Batch(Turns.One("d2-1", "The Lisbon office moved to Rua Augusta 12 in March.")))).EnsureSuccessStatusCode();

        var response = await client.PostAsJsonAsync("/v1/search", new { query = "Lisbon office Rua Augusta", limit = 2 });

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var hits = JsonDocument.Parse(body).RootElement.GetProperty("hits");
        Assert.True(hits.GetArrayLength() is >= 1 and <= 2);
        var first = hits[0];
        Assert.Equal("desk-2", first.GetProperty("agent").GetString());
        Assert.Equal(1, first.GetProperty("denseRank").GetInt32());
        var item = first.GetProperty("item");
        Assert.Equal("d2-1", item.GetProperty("id").GetString());
        Assert.Equal("turn", item.GetProperty("kind").GetString());
        Assert.Contains("Rua Augusta 12", item.GetProperty("text").GetString(), StringComparison.Ordinal);

        // The same item shape as the agent's own search.
        var own = JsonDocument.Parse(await (await client.PostAsJsonAsync("/v1/agents/desk-2/search", new { query = "Lisbon office Rua Augusta" })).Content.ReadAsStringAsync());
        var ownItem = own.RootElement.GetProperty("hits")[0].GetProperty("item");
        Assert.Equal(
            ownItem.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal),
            item.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var agents = await client.PostAsJsonAsync("/v1/search", new { query = "Lisbon office Rua Augusta", agents = new[] { "desk-1" } });
        var only = JsonDocument.Parse(await agents.Content.ReadAsStringAsync()).RootElement.GetProperty("hits");
        Assert.All(only.EnumerateArray(), h => Assert.Equal("desk-1", h.GetProperty("agent").GetString()));
    }

    [Fact]
    public async Task A_forgotten_turn_and_a_deleted_agent_are_never_returned()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        await client.PostAsJsonAsync("/v1/agents/ann/turns", Turns.Batch(
            Turns.One("a-1", "My locker combination at the gym is 7731."),
            Turns.One("a-2", "I walk the dog every morning.", minute: 1)));
        await client.PostAsJsonAsync("/v1/agents/bob/turns", Turns.Batch(Turns.One("b-1", "Bob keeps a spare gym towel in locker 12.")));
        Assert.Contains("7731", await SearchAsync(client, "locker combination gym"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync("/v1/agents/ann/turns/a-1")).StatusCode);
        var afterForget = await SearchAsync(client, "locker combination gym");
        Assert.DoesNotContain("7731", afterForget, StringComparison.Ordinal);
        Assert.DoesNotContain("\"a-1\"", afterForget, StringComparison.Ordinal);
        Assert.Contains("\"b-1\"", afterForget, StringComparison.Ordinal);

        Assert.True((await client.DeleteAsync("/v1/agents/bob")).IsSuccessStatusCode);
        var afterDelete = await SearchAsync(client, "locker gym towel");
        Assert.DoesNotContain("\"bob\"", afterDelete, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_tenant_never_sees_another_even_with_the_same_agent_names()
    {
        using var victim = await _factory.CreateTenantClientAsync("victim");
        using var other = await _factory.CreateTenantClientAsync("other");
        await victim.PostAsJsonAsync("/v1/agents/vault/turns", Turns.Batch(Turns.One("v-1", "The vault code for the safe is 4711.")));
        await other.PostAsJsonAsync("/v1/agents/vault/turns", Turns.Batch(Turns.One("o-1", "The cafeteria opens at nine.")));

        Assert.Contains("4711", await SearchAsync(victim, "vault code safe"), StringComparison.Ordinal);
        var seen = await SearchAsync(other, "vault code safe");
        Assert.DoesNotContain("4711", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("\"v-1\"", seen, StringComparison.Ordinal);
        Assert.Contains("\"o-1\"", seen, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadBodies() => new()
    {
        { """{"query":"   "}""", "query" },
        { """{"limit":5}""", "query" },
        { """{"query":"x","limit":0}""", "limit" },
        { """{"query":"x","limit":101}""", "limit" },
        { """{"query":"x","agents":["a/b"]}""", "agents" },
        { """{"query":"x","group":"no-such-group"}""", "group" },
        { """{"query":"x","from":"2025-01-02T00:00:00Z","to":"2025-01-01T00:00:00Z"}""", "from" },
        { """{"query":"x","kinds":["fact"]}""", "" },
        { """{"query":""", "" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_a_400_problem(string body, string mentions)
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        var response = await client.PostAsync("/v1/search", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(mentions, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_without_a_key_is_401_and_the_outbox_is_in_the_metrics()
    {
        using var anonymous = _factory.CreateClient(key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/v1/search", new { query = "x" })).StatusCode);

        using var client = await _factory.CreateTenantClientAsync("acme");
        await client.PostAsJsonAsync("/v1/agents/m/turns", Turns.Batch(Turns.One("m-1", "Metrics are scraped every minute.")));
        await SearchAsync(client, "metrics scraped");
        var metrics = await anonymous.GetStringAsync("/metrics");
        Assert.Contains("memoryfabric_tenant_index_outbox_pending", metrics, StringComparison.Ordinal);
        Assert.Contains("memoryfabric_tenant_index_outbox_shipped_total{operation=\"upsert\"}", metrics, StringComparison.Ordinal);
    }

    private static async Task<string> SearchAsync(HttpClient client, string query)
    {
        var response = await client.PostAsJsonAsync("/v1/search", new { query, limit = 20 });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return body;
    }
}
