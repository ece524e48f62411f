using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Server.Tests.Api;

/// <summary>The timeline routes (sessions, episodes, one turn, activity), paged turn listings, and the context's
/// explanation: what the memory inspector reads, through the public API.</summary>
public sealed class TimelineApiTests : IDisposable
{
    private readonly FabricServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Turns_page_with_limit_and_cursor_and_a_turn_id_starts_a_page()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        await Ingest(client, Turns.Conversation("a", 7, "s1"));

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/turns?session=s1&limit=3" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("id").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"a-{i}"), seen);

        var fromTurn = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/turns?cursor=a-5");
        Assert.Equal(["a-5", "a-6"], fromTurn.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("id").GetString()!));
        Assert.Equal(JsonValueKind.Null, fromTurn.GetProperty("nextCursor").ValueKind);

        var all = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/turns");
        Assert.Equal(7, all.GetProperty("turns").GetArrayLength()); // no limit: every turn, as before
        Assert.Equal(JsonValueKind.Null, all.GetProperty("nextCursor").ValueKind);
    }

    [Theory]
    [InlineData("/v1/agents/bot/turns?limit=0", "'limit' is a whole number from 1 to 1000")]
    [InlineData("/v1/agents/bot/turns?limit=1001", "'limit' is a whole number from 1 to 1000")]
    [InlineData("/v1/agents/bot/turns?limit=ten", "'limit' is a whole number from 1 to 1000")]
    [InlineData("/v1/agents/bot/turns?cursor=nope", "The cursor 'nope' is not a turn of this listing")]
    [InlineData("/v1/agents/bot/episodes?cursor=nope", "The cursor 'nope' is not an episode of this listing")]
    [InlineData("/v1/agents/bot/sessions?cursor=nope", "The cursor 'nope' is not a session of this listing")]
    [InlineData("/v1/agents/bot/activity?buckets=0", "'buckets' is a whole number from 1 to 500")]
    [InlineData("/v1/agents/bot/activity?buckets=501", "'buckets' is a whole number from 1 to 500")]
    public async Task Bad_paging_values_are_400_problems_that_say_what_is_wrong(string path, string detail)
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        await Ingest(client, Turns.Conversation("a", 3));
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sessions_episodes_and_one_turn_describe_the_timeline()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        await Ingest(client, Turns.Conversation("a", 6, "s1"));
        await Ingest(client, Turns.Conversation("b", 4, "s2").Select(t => Shift(t, 60 * 24)).ToArray());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/agents/bot/consolidate", null)).StatusCode);

        var sessions = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/sessions");
        var list = sessions.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(["s1", "s2"], list.Select(s => s.GetProperty("id").GetString()!));
        Assert.Equal(6, list[0].GetProperty("turns").GetInt32());
        Assert.True(list[0].GetProperty("episodes").GetInt32() >= 1);
        Assert.Equal(Turns.Start, list[0].GetProperty("start").GetDateTimeOffset());

        var firstPage = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/sessions?limit=1");
        Assert.Equal("s2", firstPage.GetProperty("nextCursor").GetString());

        var episodes = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/episodes?session=s1");
        var s1 = episodes.GetProperty("episodes").EnumerateArray().ToList();
        Assert.NotEmpty(s1);
        Assert.All(s1, e => Assert.Equal("s1", e.GetProperty("sessionId").GetString()));
        var covered = s1.SelectMany(e => e.GetProperty("turnIds").EnumerateArray().Select(t => t.GetString()!)).ToList();
        Assert.Contains("a-3", covered);

        var holder = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/episodes?turn=a-3");
        var only = Assert.Single(holder.GetProperty("episodes").EnumerateArray().ToList());
        Assert.Contains("a-3", only.GetProperty("turnIds").EnumerateArray().Select(t => t.GetString()));

        var episodeTurns = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/turns?episode=" + Uri.EscapeDataString(only.GetProperty("id").GetString()!));
        Assert.Equal(only.GetProperty("turnIds").EnumerateArray().Select(t => t.GetString()), episodeTurns.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("id").GetString()));

        var turn = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/turns/b-2");
        Assert.Equal("s2", turn.GetProperty("sessionId").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/agents/bot/turns/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/agents/bot/episodes?turn=nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/agents/bot/turns?episode=nope")).StatusCode);
    }

    [Fact]
    public async Task Activity_counts_turns_and_notes_in_equal_intervals()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        await Ingest(client, Turns.One("t0", "I moved to Lisbon.", minute: 0), Turns.One("t1", "I love the light.", minute: 5), Turns.One("t2", "It is sunny.", minute: 100));
        var created = await client.PostAsJsonAsync("/v1/agents/bot/notes", new { text = "Alice lives in Lisbon.", subject = "Alice", validFrom = Turns.Start.AddMinutes(5) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var activity = await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/activity?buckets=10");
        var buckets = activity.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(10, buckets.Count);
        Assert.Equal(Turns.Start, buckets[0].GetProperty("start").GetDateTimeOffset());
        Assert.Equal(Turns.Start.AddMinutes(100), buckets[^1].GetProperty("end").GetDateTimeOffset());
        Assert.Equal([2, 0, 0, 0, 0, 0, 0, 0, 0, 1], buckets.Select(b => b.GetProperty("turns").GetInt32()));
        Assert.Equal(1, buckets[0].GetProperty("notes").GetInt32());
        Assert.Equal(1, buckets.Sum(b => b.GetProperty("notes").GetInt32()));
    }

    [Fact]
    public async Task Context_explains_scores_signals_tokens_and_the_items_below_the_cut_only_when_asked()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        await Ingest(client, Turns.Conversation("a", 12));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/agents/bot/consolidate", null)).StatusCode);

        var plain = await (await client.PostAsJsonAsync("/v1/agents/bot/context", new { query = "Where did Alice move?", tokenBudget = 40, preferVerbatimWhenItFits = false })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(plain.TryGetProperty("explanation", out _));

        var response = await client.PostAsJsonAsync("/v1/agents/bot/context", new { query = "Where did Alice move?", tokenBudget = 40, preferVerbatimWhenItFits = false, explain = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var context = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("retrieved", context.GetProperty("mode").GetString());
        var x = context.GetProperty("explanation");
        var items = x.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(context.GetProperty("items").GetArrayLength(), items.Count);
        Assert.Equal(
            context.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).Order(StringComparer.Ordinal),
            items.Select(i => i.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(40, x.GetProperty("budgetTokens").GetInt32());
        Assert.True(x.GetProperty("candidates").GetInt32() > items.Count);
        var ranks = items.Select(i => i.GetProperty("rank").GetInt32()).ToList();
        Assert.Equal(ranks.Order(), ranks); // best first
        foreach (var item in items)
        {
            var text = item.GetProperty("text").GetString()!;
            Assert.Equal((text.Length + 3) / 4, item.GetProperty("tokens").GetInt32());
            Assert.True(item.GetProperty("score").GetDouble() > 0);
            var signals = item.GetProperty("signals").EnumerateArray().Select(s => s.GetString()!).ToList();
            Assert.NotEmpty(signals);
            Assert.All(signals, s => Assert.Contains(s, new[] { "lexical", "dense", "expansion", "consensus" }));
            Assert.Equal(signals.Contains("lexical"), item.GetProperty("lexicalRank").ValueKind == JsonValueKind.Number);
            Assert.Equal(JsonValueKind.Null, item.GetProperty("leftOut").ValueKind);
        }

        var below = x.GetProperty("belowCut").EnumerateArray().ToList();
        Assert.InRange(below.Count, 1, 5);
        Assert.All(below, b => Assert.Contains(b.GetProperty("leftOut").GetString(), new[] { "budget", "redundant" }));
        Assert.DoesNotContain(below, b => items.Any(i => i.GetProperty("id").GetString() == b.GetProperty("id").GetString()));

        var verbatim = await (await client.PostAsJsonAsync("/v1/agents/bot/context", new { query = "Alice", tokenBudget = 100_000, explain = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("verbatim", verbatim.GetProperty("mode").GetString());
        Assert.Equal(12, verbatim.GetProperty("explanation").GetProperty("items").GetArrayLength());
        Assert.Empty(verbatim.GetProperty("explanation").GetProperty("belowCut").EnumerateArray());
    }

    [Fact]
    public async Task Another_tenants_agent_is_the_404_of_an_agent_that_does_not_exist_on_every_timeline_route()
    {
        using var a = await _factory.CreateTenantClientAsync("tenant-a");
        using var b = await _factory.CreateTenantClientAsync("tenant-b");
        await Ingest(a, Turns.Conversation("a", 3));
        foreach (var path in new[] { "/sessions", "/episodes", "/turns/a-1", "/activity", "/turns?limit=1" })
        {
            var other = await b.GetAsync("/v1/agents/bot" + path);
            var missing = await b.GetAsync("/v1/agents/nobody" + path);
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
            Assert.Equal(
                (await missing.Content.ReadAsStringAsync()).Replace("nobody", "bot", StringComparison.Ordinal),
                await other.Content.ReadAsStringAsync());
        }
    }

    private static async Task Ingest(HttpClient client, params object[] turns)
    {
        var response = await client.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(turns));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // The same turn, minutes later (another day's session).
    private static object Shift(object turn, int minutes)
    {
        var json = JsonSerializer.SerializeToElement(turn);
        return new
        {
            id = json.GetProperty("id").GetString(),
            sessionId = json.GetProperty("sessionId").GetString(),
            speaker = json.GetProperty("speaker").GetString(),
            role = "user",
            text = json.GetProperty("text").GetString(),
            timestamp = json.GetProperty("timestamp").GetDateTimeOffset().AddMinutes(minutes),
        };
    }
}
