using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Server.Tests.Api;

/// <summary>Forgetting turns over HTTP: <c>DELETE /v1/agents/{agent}/turns/{turnId}</c> and
/// <c>POST /v1/agents/{agent}/turns/forget</c>. The forgotten text is found by no endpoint and in no file under the
/// data directory, once the call returns and after a restart.</summary>
public sealed class TurnForgetApiTests
{
    private const string Secret = "xylophonewombat";

    private static object[] Conversation() =>
    [
        Turns.One("t-1", "I moved to Lisbon last spring and I love the light there.", "Alice", minute: 0),
        Turns.One("t-2", $"My bank PIN is {Secret} 9921, please remember it for me.", "Alice", minute: 1),
        Turns.One("t-3", "We adopted a grey cat called Pixel from the shelter.", "Alice", minute: 2),
    ];

    [Fact]
    public async Task A_forgotten_turn_is_in_no_endpoint_and_no_file_once_forgotten_and_after_a_restart()
    {
        // A directory of the test's own: a factory deletes its DataDirectory when disposed, this one outlives both.
        var directory = Path.Combine(Path.GetTempPath(), "mf-forget-tests-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["MemoryFabric:DataDirectory"] = directory };
        try
        {
            string key;
            using (var factory = new FabricServerFactory(settings))
            {
                using var client = await factory.CreateTenantClientAsync("acme");
                key = client.DefaultRequestHeaders.Authorization!.Parameter!;
                (await client.PostAsJsonAsync("/v1/agents/ann/turns", Turns.Batch(Conversation()))).EnsureSuccessStatusCode();
                (await client.PostAsync("/v1/agents/ann/consolidate", null)).EnsureSuccessStatusCode();
                (await client.PostAsJsonAsync("/v1/agents/ann/notes", new { text = $"Alice's bank PIN is {Secret}.", subject = "Alice", sourceTurnIds = new[] { "t-2" } })).EnsureSuccessStatusCode();
                (await client.PostAsJsonAsync("/v1/agents/ann/turns", Turns.Batch(Turns.One("t-4", "The bakery on our street makes the best custard tarts.", "Alice", minute: 3)))).EnsureSuccessStatusCode();
                Assert.Contains(Secret, await SearchAsync(client), StringComparison.Ordinal);
                Assert.True(FilesHolding(directory).Count > 0, "the secret should be on disk before the forget");

                var forget = await client.DeleteAsync("/v1/agents/ann/turns/t-2");
                Assert.Equal(HttpStatusCode.OK, forget.StatusCode);
                var result = await forget.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(["t-2"], result.GetProperty("forgottenTurnIds").EnumerateArray().Select(e => e.GetString()));
                Assert.True(result.GetProperty("purgedNoteIds").GetArrayLength() >= 1);

                Assert.Empty(FilesHolding(directory));
                await AssertGoneAsync(client);

                // Forgetting it again: the turn is unknown now.
                var again = await client.DeleteAsync("/v1/agents/ann/turns/t-2");
                Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
                Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
            }

            using var restarted = new FabricServerFactory(settings);
            using var afterRestart = restarted.CreateClient(key);
            await AssertGoneAsync(afterRestart);
            var turns = await afterRestart.GetStringAsync("/v1/agents/ann/turns");
            Assert.Contains("t-1", turns, StringComparison.Ordinal);
            Assert.Contains("t-4", turns, StringComparison.Ordinal);
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
    public async Task The_batch_form_forgets_several_reports_unknown_ids_and_refuses_bad_input()
    {
        using var factory = new FabricServerFactory();
        using var client = await factory.CreateTenantClientAsync("acme");
        (await client.PostAsJsonAsync("/v1/agents/bob/turns", Turns.Batch(Turns.Conversation("b", 6)))).EnsureSuccessStatusCode();

        var forget = await client.PostAsJsonAsync("/v1/agents/bob/turns/forget", new { turnIds = new[] { "b-0", "b-1", "b-missing" } });
        Assert.Equal(HttpStatusCode.OK, forget.StatusCode);
        var result = await forget.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["b-0", "b-1"], result.GetProperty("forgottenTurnIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["b-missing"], result.GetProperty("unknownTurnIds").EnumerateArray().Select(e => e.GetString()));
        var turns = await client.GetStringAsync("/v1/agents/bob/turns");
        Assert.DoesNotContain("\"b-0\"", turns, StringComparison.Ordinal);
        Assert.Contains("\"b-2\"", turns, StringComparison.Ordinal);

        foreach (var body in new object[] { new { turnIds = Array.Empty<string>() }, new { turnIds = Enumerable.Range(0, 101).Select(i => "b-" + i).ToArray() }, new { turnIds = new[] { " " } }, new { } })
        {
            var bad = await client.PostAsJsonAsync("/v1/agents/bob/turns/forget", body);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        }

        var unknown = await client.DeleteAsync("/v1/agents/bob/turns/nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nope", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/v1/agents/nobody/turns/b-2")).StatusCode);
    }

    [Fact]
    public async Task Another_tenant_cannot_forget_a_turn_and_a_key_without_forget_is_refused()
    {
        using var factory = new FabricServerFactory();
        using var acme = await factory.CreateTenantClientAsync("acme");
        using var other = await factory.CreateTenantClientAsync("globex");
        (await acme.PostAsJsonAsync("/v1/agents/ann/turns", Turns.Batch(Conversation()))).EnsureSuccessStatusCode();

        // The same agent and turn names address the other tenant's own (absent) agent.
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync("/v1/agents/ann/turns/t-2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync("/v1/agents/ann/turns/forget", new { turnIds = new[] { "t-2" } })).StatusCode);
        Assert.Contains(Secret, await SearchAsync(acme), StringComparison.Ordinal);

        using var admin = factory.CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "rw", scopes = new[] { "read", "write" } });
        using var readWrite = factory.CreateClient((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
        var refused = await readWrite.DeleteAsync("/v1/agents/ann/turns/t-2");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("forget", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requiredScope").GetString());
        Assert.Contains(Secret, await SearchAsync(acme), StringComparison.Ordinal);
    }

    private static readonly ForgottenText Forgotten = new("ann", Secret, $"{Secret} bank PIN", "What is Alice's bank PIN?", "t-2");

    private static Task<string> SearchAsync(HttpClient client) => Forgotten.SearchAsync(client);

    private static Task AssertGoneAsync(HttpClient client) => Forgotten.AssertGoneAsync(client);

    // Every file under the data directory holding any piece of the secret (its first 8 bytes suffice to catch a
    // stemmed index term or a truncated copy).
    private static List<string> FilesHolding(string directory) => DataFiles.Holding(directory, Secret[..8]);
}
