using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Api;

/// <summary><c>POST /v1/admin/tenants/{tenant}/reindex</c>: rebuilds a tenant's vector shards from its agents'
/// memories and streams its progress as JSON lines; unknown tenant, tenant key and index off are problem+json.</summary>
public sealed class TenantReindexApiTests : IDisposable
{
    private readonly FabricServerFactory _factory = new(new Dictionary<string, string?> { ["MemoryFabric:TenantIndex:Enabled"] = "true" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Reindex_restores_tenant_wide_search_after_the_shards_lost_their_items_and_streams_its_progress()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        (await client.PostAsJsonAsync("/v1/agents/desk-1/turns", Turns.Batch(Turns.One("d1-1", "The printer on floor two jams on glossy paper.")))).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/v1/agents/desk-2/turns", Turns.Batch(
            Turns.One("d2-1", "The Lisbon office moved to Rua Augusta 12 in March."),
            Turns.One("d2-2", "The Porto office keeps the spare printer toner.", minute: 1)))).EnsureSuccessStatusCode();
        var before = await HitIdsAsync(client, "office printer Lisbon Porto");
        Assert.Equal(["d1-1", "d2-1", "d2-2"], before);

        // The index is lost (every shard of the tenant cleared behind the fabric's back).
        var grains = _factory.Services.GetRequiredService<IGrainFactory>();
        foreach (var n in Enumerable.Range(0, 4))
        {
            await grains.GetGrain<IVectorShardGrain>($"acme/shard-{n}").ClearAsync();
        }

        Assert.Empty(await HitIdsAsync(client, "office printer Lisbon Porto"));

        using var admin = _factory.CreateAdminClient();
        var response = await admin.PostAsync("/v1/admin/tenants/acme/reindex", content: null);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(0, lines[0].GetProperty("agentsDone").GetInt32());
        Assert.Equal(2, lines[0].GetProperty("agentsTotal").GetInt32());
        var last = lines[^1];
        Assert.True(last.GetProperty("done").GetBoolean());
        Assert.Equal("acme", last.GetProperty("tenant").GetString());
        Assert.Equal(2, last.GetProperty("agentsDone").GetInt32());
        Assert.Equal(3, last.GetProperty("itemsShipped").GetInt64());
        Assert.Equal(before, await HitIdsAsync(client, "office printer Lisbon Porto"));
    }

    [Fact]
    public async Task An_unknown_tenant_is_a_404_a_tenant_key_a_403_and_an_index_that_is_off_a_501_all_problem_json()
    {
        using var admin = _factory.CreateAdminClient();
        var unknown = await admin.PostAsync("/v1/admin/tenants/no-such-tenant/reindex", content: null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-such-tenant", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var tenantClient = await _factory.CreateTenantClientAsync("acme");
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantClient.PostAsync("/v1/admin/tenants/acme/reindex", content: null)).StatusCode);

        using var off = new FabricServerFactory(new Dictionary<string, string?> { ["MemoryFabric:TenantIndex:Enabled"] = "false" });
        using var offTenant = await off.CreateTenantClientAsync("acme");
        using var offAdmin = off.CreateAdminClient();
        var disabled = await offAdmin.PostAsync("/v1/admin/tenants/acme/reindex", content: null);
        Assert.Equal(HttpStatusCode.NotImplemented, disabled.StatusCode);
        Assert.Equal("application/problem+json", disabled.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("/tenant-index-disabled", JsonDocument.Parse(await disabled.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
    }

    private static async Task<List<string>> HitIdsAsync(HttpClient client, string query)
    {
        var response = await client.PostAsJsonAsync("/v1/search", new { query, limit = 10 });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("item").GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];
    }
}
