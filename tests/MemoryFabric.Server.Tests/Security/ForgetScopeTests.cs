using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Serialization;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Server.Tests.Security;

/// <summary>Keys' scopes: a capped key cannot destroy memory unless it holds <c>forget</c>; scopes are given at
/// creation, checked, and shown in listings; keys stored before scopes keep what they could do, except that a capped
/// one can no longer purge.</summary>
public sealed class ForgetScopeTests : IDisposable
{
    private readonly FabricServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_trust_capped_key_cannot_purge_a_note_or_delete_an_agent_unless_it_has_forget()
    {
        using var admin = _factory.CreateAdminClient();
        await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" });
        using var capped = await KeyAsync(admin, new { name = "crawler", trust = 0.2 });
        using var cappedForget = await KeyAsync(admin, new { name = "janitor", trust = 0.2, scopes = new[] { "read", "write", "forget" } });

        var note = await capped.PostAsJsonAsync("/v1/agents/bob/notes", new { text = "Bob likes tea.", subject = "Bob" });
        Assert.Equal(HttpStatusCode.Created, note.StatusCode);
        var noteId = (await note.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note").GetProperty("id").GetString();

        var purge = await capped.DeleteAsync($"/v1/agents/bob/notes/{noteId}?purge=true");
        Assert.Equal(HttpStatusCode.Forbidden, purge.StatusCode);
        Assert.Equal("forget", (await purge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requiredScope").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await capped.DeleteAsync($"/v1/agents/bob/notes/{noteId}?purge=True")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await capped.DeleteAsync($"/v1/agents/bob/notes/{noteId}?purge=false&purge=true")).StatusCode);
        var deleteAgent = await capped.DeleteAsync("/v1/agents/bob");
        Assert.Equal(HttpStatusCode.Forbidden, deleteAgent.StatusCode);
        Assert.Equal("application/problem+json", deleteAgent.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await capped.GetAsync($"/v1/agents/bob/notes/{noteId}")).StatusCode); // still there

        Assert.Equal(HttpStatusCode.OK, (await cappedForget.DeleteAsync($"/v1/agents/bob/notes/{noteId}?purge=true")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await cappedForget.DeleteAsync("/v1/agents/bob")).StatusCode);
    }

    [Fact]
    public async Task Keys_get_read_and_write_by_default_and_listings_show_the_scopes()
    {
        using var admin = _factory.CreateAdminClient();
        await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" });
        var plain = await (await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "plain" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["read", "write"], Scopes(plain));
        var full = await (await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "full", scopes = new[] { "guard", "forget", "read", "write", "read" } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["read", "write", "forget", "guard"], Scopes(full));

        var list = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/tenants/acme/keys");
        var byName = list.GetProperty("keys").EnumerateArray().ToDictionary(k => k.GetProperty("name").GetString()!, Scopes);
        Assert.Equal(["read", "write"], byName["plain"]);
        Assert.Equal(["read", "write", "forget", "guard"], byName["full"]);

        using var plainClient = _factory.CreateClient(plain.GetProperty("key").GetString());
        var guard = await plainClient.PutAsJsonAsync("/v1/guard", new { enabled = false });
        Assert.Equal(HttpStatusCode.Forbidden, guard.StatusCode);
        Assert.Equal("guard", (await guard.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requiredScope").GetString());
    }

    [Theory]
    [InlineData("""{"name":"x","scopes":["admin"]}""")]
    [InlineData("""{"name":"x","scopes":["delete"]}""")]
    [InlineData("""{"name":"x","scopes":[]}""")]
    [InlineData("""{"name":"x","scopes":[null]}""")]
    [InlineData("""{"name":"x","trust":0.3,"scopes":["read","guard"]}""")]
    public async Task Bad_scopes_are_a_400(string body)
    {
        using var admin = _factory.CreateAdminClient();
        await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" });
        var response = await admin.PostAsync("/v1/admin/tenants/acme/keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>("/v1/admin/tenants/acme/keys")).GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public void Keys_stored_before_scopes_keep_what_they_could_do_except_that_a_capped_one_cannot_purge()
    {
        // As the directory stored keys before scopes existed: no "scopes" property.
        var uncapped = JsonSerializer.Deserialize<ApiKeyRecord>(
            """{"id":"key_1","tenant":"acme","name":"old","hash":"ab","createdAt":"2024-05-01T00:00:00+00:00"}""", MemoryFabricJson.Options)!;
        var capped = JsonSerializer.Deserialize<ApiKeyRecord>(
            """{"id":"key_2","tenant":"acme","name":"old","hash":"cd","createdAt":"2024-05-01T00:00:00+00:00","trust":0.2}""", MemoryFabricJson.Options)!;
        Assert.Null(uncapped.Scopes);
        Assert.Equal(["read", "write", "forget", "guard"], uncapped.GetEffectiveScopes());
        Assert.Equal(["read", "write"], capped.GetEffectiveScopes());

        // A cap never comes with guard, whatever is stored.
        Assert.Equal(["read", "forget"], (capped with { Scopes = ["read", "forget", "guard"] }).GetEffectiveScopes());
    }

    private static string[] Scopes(JsonElement key) => key.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray();

    private async Task<HttpClient> KeyAsync(HttpClient admin, object request)
    {
        var created = await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return _factory.CreateClient((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
    }
}
