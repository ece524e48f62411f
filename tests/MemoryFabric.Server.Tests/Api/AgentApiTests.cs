using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Server.Tests.Api;

public sealed class AgentApiTests : IDisposable
{
    private readonly FabricServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Ingest_then_list_search_and_context_return_the_stored_turns()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        var ingest = await client.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(
            Turns.One("t1", "I adopted a grey cat called Pixel from the shelter."),
            Turns.One("t2", "What a lovely name! How old is Pixel?", "Bob", minute: 1),
            Turns.One("t3", "She is two years old and loves boxes.", minute: 2)));
        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        var stored = await ingest.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["t1", "t2", "t3"], stored.GetProperty("storedTurnIds").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Empty(stored.GetProperty("duplicateTurnIds").EnumerateArray());

        var again = await client.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.One("t1", "I adopted a grey cat called Pixel from the shelter.")));
        var duplicate = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("t1", duplicate.GetProperty("duplicateTurnIds")[0].GetString());

        var turns = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/turns");
        Assert.Equal(3, turns.GetProperty("turns").GetArrayLength());
        Assert.Equal("user", turns.GetProperty("turns")[0].GetProperty("role").GetString());

        var search = await client.PostAsJsonAsync("/v1/agents/bot/search", new { query = "cat shelter name", limit = 5 });
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        var hits = (await search.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hits");
        Assert.Equal("t1", hits[0].GetProperty("item").GetProperty("id").GetString());

        var context = await client.PostAsJsonAsync("/v1/agents/bot/context", new { query = "How old is the cat?", tokenBudget = 500 });
        var memory = await context.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("two years old", memory.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.True(memory.GetProperty("tokens").GetInt32() <= 500);

        var summary = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot");
        Assert.Equal("bot", summary.GetProperty("agent").GetString());
        Assert.Equal(3, summary.GetProperty("turns").GetInt32());
    }

    [Fact]
    public async Task Notes_crud_keeps_every_version_in_the_history()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        var created = await client.PostAsJsonAsync("/v1/agents/bot/notes", new { text = "Alice lives in Lisbon.", subject = "Alice", attribute = "city", value = "Lisbon" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var first = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note");
        var id = first.GetProperty("id").GetString()!;
        Assert.Equal("active", first.GetProperty("status").GetString());

        var fetched = await client.GetFromJsonAsync<JsonElement>($"/v1/agents/bot/notes/{id}");
        Assert.Equal("Alice lives in Lisbon.", fetched.GetProperty("text").GetString());

        var updated = await client.PutAsJsonAsync($"/v1/agents/bot/notes/{id}", new { text = "Alice lives in Porto.", subject = "Alice", attribute = "city", value = "Porto" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var second = (await updated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note");
        var secondId = second.GetProperty("id").GetString()!;
        Assert.NotEqual(id, secondId);

        var history = await client.GetFromJsonAsync<JsonElement>($"/v1/agents/bot/notes/{secondId}/history");
        var versions = history.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(2, versions.Count);
        Assert.Equal("superseded", versions[0].GetProperty("status").GetString());
        Assert.Equal("Alice lives in Porto.", versions[1].GetProperty("text").GetString());

        var active = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/notes");
        Assert.Equal(1, active.GetProperty("notes").GetArrayLength());

        var deleted = await client.DeleteAsync($"/v1/agents/bot/notes/{secondId}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/notes")).GetProperty("notes").GetArrayLength());
        var all = (await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/notes?includeInactive=true")).GetProperty("notes").EnumerateArray().ToList();
        Assert.Equal(["superseded", "deleted"], all.Select(n => n.GetProperty("status").GetString()!).Order().Reverse().ToArray());

        var purged = await client.DeleteAsync($"/v1/agents/bot/notes/{secondId}?purge=true");
        Assert.Equal(2, (await purged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("purged").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/agents/bot/notes/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/agents/bot/notes/{id}/history")).StatusCode);
    }

    [Fact]
    public async Task Export_then_import_into_another_agent_reproduces_turns_and_note_history()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        await client.PostAsJsonAsync("/v1/agents/source/turns", Turns.Batch(Turns.Conversation("c", 12)));
        var note = await client.PostAsJsonAsync("/v1/agents/source/notes", new { text = "Bob plays the cello.", subject = "Bob", attribute = "instrument", value = "cello" });
        var noteId = (await note.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note").GetProperty("id").GetString()!;
        await client.PutAsJsonAsync($"/v1/agents/source/notes/{noteId}", new { text = "Bob plays the viola.", subject = "Bob", attribute = "instrument", value = "viola" });
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/agents/source/consolidate", null)).StatusCode);

        var export = await client.GetAsync("/v1/agents/source/export");
        Assert.Equal("application/x-ndjson", export.Content.Headers.ContentType!.MediaType);
        var lines = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var types = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()).ToList();
        Assert.Equal(12, types.Count(t => t == "turn"));
        Assert.Contains("episode", types);
        Assert.True(types.Count(t => t == "note") >= 2);

        using var content = new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");
        var import = await client.PostAsync("/v1/agents/copy/import", content);
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        var result = await import.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(12, result.GetProperty("turns").GetInt32());
        Assert.Equal(types.Count(t => t == "note"), result.GetProperty("notes").GetInt32());

        var sourceTurns = await client.GetStringAsync("/v1/agents/source/turns");
        var copyTurns = await client.GetStringAsync("/v1/agents/copy/turns");
        Assert.Equal(sourceTurns, copyTurns);
        var history = await client.GetFromJsonAsync<JsonElement>($"/v1/agents/copy/notes/{noteId}/history");
        Assert.Equal(2, history.GetProperty("versions").GetArrayLength());

        using var twice = new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");
        var again = await (await client.PostAsync("/v1/agents/copy/import", twice)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("turns").GetInt32());
        Assert.Equal(0, again.GetProperty("notes").GetInt32());
    }

    [Fact]
    public async Task An_export_larger_than_MaxBatchSize_imports_whole()
    {
        using var small = new FabricServerFactory(new Dictionary<string, string?> { ["MemoryFabric:MaxBatchSize"] = "100" });
        using var client = await small.CreateTenantClientAsync("acme");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/agents/source/turns", Turns.Batch(Turns.Conversation("a", 75)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/agents/source/turns", Turns.Batch(Turns.Conversation("b", 75)))).StatusCode);
        var lines = (await client.GetStringAsync("/v1/agents/source/export")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        using var content = new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");
        var import = await client.PostAsync("/v1/agents/copy/import", content);

        Assert.Equal(HttpStatusCode.OK, import.StatusCode); // 150 turns, handed to the engine 100 at a time
        Assert.Equal(150, (await import.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("turns").GetInt32());
        Assert.Equal(await TurnTextsAsync(client, "source"), await TurnTextsAsync(client, "copy"));
    }

    private static async Task<List<string>> TurnTextsAsync(HttpClient client, string agent) =>
        (await client.GetFromJsonAsync<JsonElement>($"/v1/agents/{agent}/turns")).GetProperty("turns").EnumerateArray()
            .Select(t => t.GetProperty("id").GetString() + ": " + t.GetProperty("text").GetString())
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public async Task Purge_removes_everything_and_the_agent_reads_as_missing()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        await client.PostAsJsonAsync("/v1/agents/gone/turns", Turns.Batch(Turns.Conversation("p", 20)));
        await client.PostAsync("/v1/agents/gone/consolidate", null);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/v1/agents/gone")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/agents/gone/turns")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/v1/agents/gone/search", new { query = "Lisbon" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/v1/agents/gone")).StatusCode);

        // Writing again starts from nothing: nothing of the purged agent comes back.
        await client.PostAsJsonAsync("/v1/agents/gone/turns", Turns.Batch(Turns.One("fresh", "A new beginning.")));
        var turns = await client.GetFromJsonAsync<JsonElement>("/v1/agents/gone/turns");
        Assert.Equal(1, turns.GetProperty("turns").GetArrayLength());
        var search = await (await client.PostAsJsonAsync("/v1/agents/gone/search", new { query = "Lisbon light spring" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.DoesNotContain(search.GetProperty("hits").EnumerateArray(), h => h.GetProperty("item").GetProperty("text").GetString()!.Contains("Lisbon", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Service_routes_answer_without_a_key()
    {
        using var client = _factory.CreateClient(key: null);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/v1/agents/{agent}/turns", out _));
    }
}
