using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Server.Tests.Api;

public sealed class TenantIsolationTests : IDisposable
{
    private readonly FabricServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    public static TheoryData<string, string, string?> AgentRoutes() => new()
    {
        { "GET", "", null },
        { "GET", "/turns", null },
        { "POST", "/search", """{"query":"secret"}""" },
        { "POST", "/context", """{"query":"secret"}""" },
        { "GET", "/notes", null },
        { "GET", "/notes/{note}", null },
        { "PUT", "/notes/{note}", """{"text":"pwned","subject":"Alice"}""" },
        { "DELETE", "/notes/{note}", null },
        { "DELETE", "/notes/{note}?purge=true", null },
        { "GET", "/notes/{note}/history", null },
        { "GET", "/export", null },
        { "POST", "/consolidate", null },
        { "DELETE", "", null },
    };

    [Theory]
    [MemberData(nameof(AgentRoutes))]
    public async Task A_key_of_another_tenant_gets_the_same_404_as_for_an_agent_that_does_not_exist(string method, string route, string? body)
    {
        using var victim = await _factory.CreateTenantClientAsync("victim");
        using var attacker = await _factory.CreateTenantClientAsync("attacker");
        await victim.PostAsJsonAsync("/v1/agents/vault/turns", Turns.Batch(Turns.One("v1", "The vault code is 4711, keep it secret.")));
        var note = await victim.PostAsJsonAsync("/v1/agents/vault/notes", new { text = "The vault code is 4711.", subject = "vault" });
        var noteId = (await note.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note").GetProperty("id").GetString()!;
        var before = await victim.GetStringAsync("/v1/agents/vault/export");

        var path = "/v1/agents/vault" + route.Replace("{note}", noteId, StringComparison.Ordinal);
        var attack = await SendAsync(attacker, method, path, body);
        var attackBody = await attack.Content.ReadAsStringAsync();

        // The same request for a name no tenant ever used, from a third tenant with nothing stored.
        using var bystander = await _factory.CreateTenantClientAsync("bystander");
        var control = await SendAsync(bystander, method, path, body);
        var controlBody = await control.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, attack.StatusCode);
        Assert.Equal(controlBody, attackBody);
        Assert.Equal(control.Content.Headers.ContentType?.ToString(), attack.Content.Headers.ContentType?.ToString());
        // The request's own path (with the note id, random hex) is echoed as "instance"; nothing else may leak.
        var leaked = attackBody.Replace(path, string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("4711", leaked, StringComparison.Ordinal);
        Assert.DoesNotContain("victim", leaked, StringComparison.Ordinal);

        // And the victim's data is untouched.
        Assert.Equal(before, await victim.GetStringAsync("/v1/agents/vault/export"));
    }

    [Fact]
    public async Task Writes_with_another_tenants_agent_name_create_a_separate_agent()
    {
        using var a = await _factory.CreateTenantClientAsync("tenant-a");
        using var b = await _factory.CreateTenantClientAsync("tenant-b");
        await a.PostAsJsonAsync("/v1/agents/shared/turns", Turns.Batch(Turns.One("a1", "Tenant A's private fact: the launch is on Friday.")));
        await b.PostAsJsonAsync("/v1/agents/shared/turns", Turns.Batch(Turns.One("b1", "Tenant B talks about the weather.")));

        var aTurns = await a.GetFromJsonAsync<JsonElement>("/v1/agents/shared/turns");
        var bTurns = await b.GetFromJsonAsync<JsonElement>("/v1/agents/shared/turns");
        Assert.Equal("a1", Assert.Single(aTurns.GetProperty("turns").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal("b1", Assert.Single(bTurns.GetProperty("turns").EnumerateArray()).GetProperty("id").GetString());

        var search = await (await b.PostAsJsonAsync("/v1/agents/shared/search", new { query = "launch Friday private" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.DoesNotContain(search.GetProperty("hits").EnumerateArray(), h => h.GetProperty("item").GetProperty("id").GetString() == "a1");

        // Same turn id in two tenants: no duplicate across tenants.
        var sameId = await (await b.PostAsJsonAsync("/v1/agents/shared/turns", Turns.Batch(Turns.One("a1", "B's own a1.")))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("a1", sameId.GetProperty("storedTurnIds")[0].GetString());
    }

    [Fact]
    public async Task Keys_are_checked_for_every_route_kind()
    {
        using var tenant = await _factory.CreateTenantClientAsync("acme");
        using var admin = _factory.CreateAdminClient();
        using var none = _factory.CreateClient(key: null);
        using var wrong = _factory.CreateClient("mfk_not-a-real-key");

        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync("/v1/agents/bot/turns")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/v1/agents/bot/turns")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/v1/agents/bot/turns")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.GetAsync("/v1/admin/tenants")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync("/v1/admin/tenants")).StatusCode);

        var keys = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/tenants/acme/keys");
        var keyId = keys.GetProperty("keys")[0].GetProperty("id").GetString();
        Assert.False(keys.GetProperty("keys")[0].TryGetProperty("key", out var secret) && secret.ValueKind == JsonValueKind.String);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/admin/tenants/acme/keys/{keyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tenant.GetAsync("/v1/agents/bot/turns")).StatusCode);
    }

    [Fact]
    public async Task Api_keys_are_stored_only_as_hashes()
    {
        using var admin = _factory.CreateAdminClient();
        await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "hashed" });
        var created = await (await admin.PostAsJsonAsync("/v1/admin/tenants/hashed/keys", new { name = "k" })).Content.ReadFromJsonAsync<JsonElement>();
        var secret = created.GetProperty("key").GetString()!;
        // The database, its WAL and every other file under the data directory.
        var needle = Encoding.UTF8.GetBytes(secret);
        foreach (var file in Directory.EnumerateFiles(_factory.DataDirectory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != MemoryFabric.Storage.Sqlite.DataDirectoryLock.FileName)) // held exclusively; owner line only
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{file} holds the key's secret");
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request);
    }
}
