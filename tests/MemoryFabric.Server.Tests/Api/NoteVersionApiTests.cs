using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Server.Tests.Api;

/// <summary>Safe note edits over HTTP: the ETag (the note's version) on every note response, <c>If-Match</c> on
/// <c>PUT</c> and <c>DELETE</c> (412 when stale, checked in the grain call that writes), 409 naming the current version
/// for a write aimed at an old version; the merge of notes written through <c>POST /notes</c>; and
/// <c>DELETE /notes/{id}?purge=true&amp;forgetSources=true</c>.</summary>
public sealed class NoteVersionApiTests
{
    private const string Secret = "quokkalantern";

    [Fact]
    public async Task Every_note_response_carries_the_version_as_a_strong_ETag()
    {
        using var factory = new FabricServerFactory();
        using var client = await factory.CreateTenantClientAsync("acme");

        var added = await client.PostAsJsonAsync("/v1/agents/bot/notes", new { text = "Alice lives in Lisbon.", subject = "Alice" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(new EntityTagHeaderValue("\"1\""), added.Headers.ETag);
        var id = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note").GetProperty("id").GetString()!;

        var fetched = await client.GetAsync($"/v1/agents/bot/notes/{id}");
        Assert.Equal(new EntityTagHeaderValue("\"1\""), fetched.Headers.ETag);
        Assert.False(fetched.Headers.ETag!.IsWeak);

        var updated = await PutAsync(client, id, "Alice lives in Porto.", "\"1\"");
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(new EntityTagHeaderValue("\"2\""), updated.Headers.ETag);
        var body = await updated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, body.GetProperty("note").GetProperty("version").GetInt32());

        var currentId = body.GetProperty("note").GetProperty("id").GetString()!;
        var deleted = await SendAsync(client, HttpMethod.Delete, $"/v1/agents/bot/notes/{currentId}", ifMatch: "*");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(new EntityTagHeaderValue("\"2\""), deleted.Headers.ETag);
        Assert.Equal("deleted", (await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_stale_If_Match_is_a_412_and_changes_nothing()
    {
        using var factory = new FabricServerFactory();
        using var client = await factory.CreateTenantClientAsync("acme");
        var id = await AddAsync(client, "Alice lives in Lisbon.");
        var v2 = (await (await PutAsync(client, id, "Alice lives in Porto.", "\"1\"")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note").GetProperty("id").GetString()!;

        // Another writer still holding version 1 writes to the current version's id.
        var stale = await PutAsync(client, v2, "Alice lives in Faro.", "\"1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        var problem = await stale.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(v2, problem.GetProperty("currentId").GetString());
        Assert.Equal(2, problem.GetProperty("currentVersion").GetInt32());
        var staleDelete = await SendAsync(client, HttpMethod.Delete, $"/v1/agents/bot/notes/{v2}", ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleDelete.StatusCode);
        var stalePurge = await SendAsync(client, HttpMethod.Delete, $"/v1/agents/bot/notes/{v2}?purge=true", ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stalePurge.StatusCode);
        var weak = await SendAsync(client, HttpMethod.Delete, $"/v1/agents/bot/notes/{v2}", ifMatch: "W/\"2\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, weak.StatusCode); // If-Match compares strongly

        await AssertUnchangedAsync(client, id, v2, "Alice lives in Porto.");

        foreach (var bad in new[] { "2", "\"2\", \"3\"" })
        {
            var refused = await SendAsync(client, HttpMethod.Delete, $"/v1/agents/bot/notes/{v2}", ifMatch: bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        await AssertUnchangedAsync(client, id, v2, "Alice lives in Porto.");
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(client, v2, "Alice lives in Faro.", "\"2\"")).StatusCode);
    }

    [Fact]
    public async Task A_write_aimed_at_a_superseded_version_is_a_409_naming_the_current_one_and_changes_nothing()
    {
        using var factory = new FabricServerFactory();
        using var client = await factory.CreateTenantClientAsync("acme");
        var v1 = await AddAsync(client, "Alice lives in Lisbon.");
        var v2 = (await (await PutAsync(client, v1, "Alice lives in Porto.", ifMatch: null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note").GetProperty("id").GetString()!;

        foreach (var (method, ifMatch) in new[] { ("PUT", (string?)null), ("PUT", "\"1\""), ("PUT", "*"), ("DELETE", null), ("DELETE", "\"1\"") })
        {
            var response = method == "PUT"
                ? await PutAsync(client, v1, "Alice lives in Faro.", ifMatch)
                : await SendAsync(client, HttpMethod.Delete, $"/v1/agents/bot/notes/{v1}", ifMatch);
            Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{method} {ifMatch}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(v2, problem.GetProperty("currentId").GetString());
            Assert.Equal(2, problem.GetProperty("currentVersion").GetInt32());
            Assert.Equal("active", problem.GetProperty("currentStatus").GetString());
            Assert.Contains(v2, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        await AssertUnchangedAsync(client, v1, v2, "Alice lives in Porto.");

        // The lineage id (the first version's id) still addresses the note when the current version is named.
        var byLineage = await PutAsync(client, v1, "Alice lives in Faro.", "\"2\"");
        Assert.Equal(HttpStatusCode.OK, byLineage.StatusCode);
        Assert.Equal(3, (await byLineage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note").GetProperty("version").GetInt32());

        // A deleted note: the tombstone is the current version.
        var v3 = (await (await client.GetAsync($"/v1/agents/bot/notes/{v1}/history")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("versions")[2].GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/v1/agents/bot/notes/{v3}")).StatusCode);
        var again = await client.DeleteAsync($"/v1/agents/bot/notes/{v3}");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var gone = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((v3, "deleted"), (gone.GetProperty("currentId").GetString(), gone.GetProperty("currentStatus").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await PutAsync(client, "n_unknown", "x", "\"1\"")).StatusCode);
    }

    [Fact]
    public async Task Of_two_racing_updates_that_read_the_same_version_exactly_one_is_written()
    {
        using var factory = new FabricServerFactory();
        using var client = await factory.CreateTenantClientAsync("acme");
        var id = await AddAsync(client, "Alice lives in Lisbon.");

        var racing = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => PutAsync(client, id, $"Alice lives in city number {i}.", "\"1\"")));

        Assert.Equal(1, racing.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(racing.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.True(r.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed, r.StatusCode.ToString()));
        var history = (await (await client.GetAsync($"/v1/agents/bot/notes/{id}/history")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("versions");
        Assert.Equal(2, history.GetArrayLength());
    }

    [Fact]
    public async Task Paraphrases_written_through_the_api_are_one_note_and_distinct_facts_stay_apart()
    {
        using var factory = new FabricServerFactory();
        using var client = await factory.CreateTenantClientAsync("acme");
        string[] paraphrases = ["Alice is allergic to peanuts.", "alice is ALLERGIC to peanuts!", "Alice has a peanut allergy.", "Peanuts: Alice is allergic to them.", "Alice's allergic to peanuts"];

        var operations = new List<(HttpStatusCode Status, string Operation)>();
        foreach (var text in paraphrases)
        {
            var response = await client.PostAsJsonAsync("/v1/agents/bot/notes", new { text, subject = "Alice" });
            operations.Add((response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("operation").GetString()!));
        }

        Assert.Equal((HttpStatusCode.Created, "added"), operations[0]);
        Assert.All(operations.Skip(1), o => Assert.Equal((HttpStatusCode.OK, "noOp"), o));
        Assert.Equal(1, await ActiveNotesAsync(client));

        var merged = await client.PostAsJsonAsync("/v1/agents/bot/notes", new { text = "Alice is severely allergic to peanuts.", subject = "Alice" });
        var result = await merged.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("merged", result.GetProperty("operation").GetString());
        Assert.Equal(2, result.GetProperty("note").GetProperty("version").GetInt32());
        Assert.Equal("merge", result.GetProperty("previous").GetProperty("supersedeReason").GetString());
        Assert.Equal(new EntityTagHeaderValue("\"2\""), merged.Headers.ETag);
        Assert.Equal(1, await ActiveNotesAsync(client));

        // Paraphrases that each add words of their own merge into the one note too.
        string[] wordier = ["Alice is allergic to peanuts.", "Alice has a peanut allergy.", "Peanuts give Alice an allergic reaction.", "Alice can't eat peanuts because she is allergic to them.", "Alice is allergic to peanuts, so she avoids them."];
        var wordierOperations = new List<string>();
        foreach (var text in wordier)
        {
            var response = await client.PostAsJsonAsync("/v1/agents/other/notes", new { text, subject = "Alice" });
            wordierOperations.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("operation").GetString()!);
        }

        Assert.Equal(["added", "noOp", "merged", "merged", "merged"], wordierOperations);
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/v1/agents/other/notes")).GetProperty("notes").GetArrayLength());

        var shellfish = await client.PostAsJsonAsync("/v1/agents/bot/notes", new { text = "Alice is allergic to shellfish.", subject = "Alice" });
        Assert.Equal("added", (await shellfish.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("operation").GetString());
        var tea = await client.PostAsJsonAsync("/v1/agents/bot/notes", new { text = "Alice likes tea.", subject = "Alice" });
        var noTea = await client.PostAsJsonAsync("/v1/agents/bot/notes", new { text = "Alice dislikes tea.", subject = "Alice" });
        Assert.Equal("added", (await tea.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("operation").GetString());
        Assert.Equal("added", (await noTea.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("operation").GetString());
        Assert.Equal(4, await ActiveNotesAsync(client));
    }

    [Fact]
    public async Task Forget_sources_removes_the_note_and_its_turns_text_from_every_endpoint_and_file()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mf-note-forget-tests-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["MemoryFabric:DataDirectory"] = directory };
        try
        {
            string key;
            using (var factory = new FabricServerFactory(settings))
            {
                using var client = await factory.CreateTenantClientAsync("acme");
                key = client.DefaultRequestHeaders.Authorization!.Parameter!;
                (await client.PostAsJsonAsync("/v1/agents/ann/turns", Turns.Batch(
                    Turns.One("t-1", "I moved to Lisbon last spring and I love the light there.", "Alice", minute: 0),
                    Turns.One("t-2", $"My locker code is {Secret} 4471, keep it for me.", "Alice", minute: 1),
                    Turns.One("t-3", "We adopted a grey cat called Pixel from the shelter.", "Alice", minute: 2)))).EnsureSuccessStatusCode();
                var noteId = await AddAsync(client, $"Alice's locker code is {Secret}.", agent: "ann", sources: ["t-2"]);
                Assert.Contains(Secret, await SearchAsync(client), StringComparison.Ordinal);

                // forgetSources without purge: refused, nothing removed.
                var refused = await client.DeleteAsync($"/v1/agents/ann/notes/{noteId}?forgetSources=true");
                Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                Assert.Contains("purge=true", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
                Assert.Contains(Secret, await client.GetStringAsync("/v1/agents/ann/turns"), StringComparison.Ordinal);

                var forget = await client.DeleteAsync($"/v1/agents/ann/notes/{noteId}?purge=true&forgetSources=true");
                Assert.Equal(HttpStatusCode.OK, forget.StatusCode);
                var result = await forget.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(1, result.GetProperty("purged").GetInt32());
                Assert.Equal([noteId], result.GetProperty("purgedNoteIds").EnumerateArray().Select(e => e.GetString()));
                Assert.Equal(["t-2"], result.GetProperty("sources").GetProperty("forgottenTurnIds").EnumerateArray().Select(e => e.GetString()));

                await AssertGoneAsync(client);
                Assert.Empty(FilesHolding(directory));
                Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/v1/agents/ann/notes/{noteId}?purge=true&forgetSources=true")).StatusCode);
            }

            using var restarted = new FabricServerFactory(settings);
            using var afterRestart = restarted.CreateClient(key);
            await AssertGoneAsync(afterRestart);
            Assert.Contains("t-3", await afterRestart.GetStringAsync("/v1/agents/ann/turns"), StringComparison.Ordinal);
            Assert.Empty(FilesHolding(directory));
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task Forget_sources_needs_the_forget_scope()
    {
        using var factory = new FabricServerFactory();
        using var acme = await factory.CreateTenantClientAsync("acme");
        (await acme.PostAsJsonAsync("/v1/agents/ann/turns", Turns.Batch(Turns.One("t-1", $"My code is {Secret}.", "Alice", minute: 0)))).EnsureSuccessStatusCode();
        var noteId = await AddAsync(acme, $"Alice's code is {Secret}.", agent: "ann", sources: ["t-1"]);
        using var admin = factory.CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "rw", scopes = new[] { "read", "write" } });
        using var readWrite = factory.CreateClient((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());

        var refused = await readWrite.DeleteAsync($"/v1/agents/ann/notes/{noteId}?purge=true&forgetSources=true");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains(Secret, await acme.GetStringAsync("/v1/agents/ann/turns"), StringComparison.Ordinal);
    }

    private static async Task<string> AddAsync(HttpClient client, string text, string agent = "bot", string[]? sources = null)
    {
        var response = await client.PostAsJsonAsync($"/v1/agents/{agent}/notes", new { text, subject = "Alice", sourceTurnIds = sources ?? [] });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note").GetProperty("id").GetString()!;
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string id, string text, string? ifMatch) =>
        SendAsync(client, HttpMethod.Put, $"/v1/agents/bot/notes/{id}", ifMatch, JsonContent.Create(new { text, subject = "Alice" }));

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? ifMatch, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await client.SendAsync(request);
    }

    private static async Task<int> ActiveNotesAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/notes")).GetProperty("notes").GetArrayLength();

    // The note's history is [v1 superseded, v2 active with the text], and nothing else was written.
    private static async Task AssertUnchangedAsync(HttpClient client, string v1, string v2, string text)
    {
        var versions = (await client.GetFromJsonAsync<JsonElement>($"/v1/agents/bot/notes/{v1}/history")).GetProperty("versions");
        Assert.Equal([v1, v2], versions.EnumerateArray().Select(v => v.GetProperty("id").GetString()));
        Assert.Equal(["superseded", "active"], versions.EnumerateArray().Select(v => v.GetProperty("status").GetString()));
        Assert.Equal(text, versions[1].GetProperty("text").GetString());
    }

    private static readonly ForgottenText Forgotten = new("ann", Secret, $"{Secret} locker code", "What is Alice's locker code?", "t-2");

    private static Task<string> SearchAsync(HttpClient client) => Forgotten.SearchAsync(client);

    private static Task AssertGoneAsync(HttpClient client) => Forgotten.AssertGoneAsync(client);

    // Every file under the data directory holding the secret's first 8 bytes (a stemmed or truncated copy too).
    private static List<string> FilesHolding(string directory) => DataFiles.Holding(directory, Secret[..8]);
}
