using System.Text.Json;
using MemoryFabric.Mcp.Tests.Support;

namespace MemoryFabric.Mcp.Tests;

/// <summary>add_memory, search_memory and get_context through the SDK's client over streamable HTTP.</summary>
[Collection(McpServerGroup.Name)]
public sealed class MemoryToolTests(McpTestServer server)
{
    [Fact]
    public async Task Every_fact_is_found_by_a_search_made_the_moment_its_write_returns()
    {
        var client = await server.ConnectAsync(await server.KeyAsync("raw"));
        var found = 0;
        var missed = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            var (text, query) = Facts.Get(i * 7);
            var added = await client.CallAsync("add_memory", new { agent = "reader", text, speaker = "Tom" });
            var id = Assert.Single(added.Items("turn_ids")).GetString();
            var hits = await client.CallAsync("search_memory", new { agent = "reader", query, limit = 10 });
            if (hits.Items("hits").Any(h => h.Str("id") == id))
            {
                found++;
            }
            else
            {
                missed.Add(query);
            }
        }

        Assert.True(found == 50, $"{found}/50 found at once; missed: {string.Join("; ", missed)}");
    }

    [Fact]
    public async Task A_hit_that_no_longer_holds_says_so_and_ranks_below_what_replaced_it()
    {
        var key = await server.KeyAsync("stale");
        var api = server.Api(key);
        var client = await server.ConnectAsync(key);
        var day1 = new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero);
        var day40 = day1.AddDays(40);
        await api.IngestAsync("lena",
        [
            new Conversation.TurnInput { Id = "p", SessionId = "s1", Speaker = "Lena", Text = "I live in Paris.", Timestamp = day1 },
            new Conversation.TurnInput { Id = "q", SessionId = "s2", Speaker = "Lena", Text = "I moved to Berlin.", Timestamp = day40 },
        ]);
        await api.AddNoteAsync("lena", new Notes.NoteWrite { Text = "Lena lives in Paris.", Subject = "Lena", Attribute = "home", Value = "Paris", ValidFrom = day1, SourceTurnIds = ["p"] });
        var berlin = (await api.AddNoteAsync("lena", new Notes.NoteWrite { Text = "Lena lives in Berlin.", Subject = "Lena", Attribute = "home", Value = "Berlin", ValidFrom = day40, SourceTurnIds = ["q"] })).Note;

        var hits = (await client.CallAsync("search_memory", new { agent = "lena", query = "where does Lena live" })).Items("hits").ToList();

        var p = hits.Single(h => h.Str("id") == "p"); // the turn takes the state of its superseded note
        Assert.Equal("superseded", p.Str("status"));
        Assert.True(p.GetProperty("superseded").GetBoolean());
        Assert.Equal(berlin.Id, p.Str("superseded_by"));
        Assert.Equal(day40, p.GetProperty("valid_to").GetDateTimeOffset());
        var current = hits.Single(h => h.Str("id") == berlin.Id);
        Assert.Equal("active", current.Str("status"));
        Assert.False(current.GetProperty("superseded").GetBoolean());
        var ids = hits.Select(h => h.Str("id")).ToList();
        Assert.True(ids.IndexOf(berlin.Id) < ids.IndexOf("p") && ids.IndexOf("q") < ids.IndexOf("p"), string.Join(", ", ids));
    }

    [Fact]
    public async Task The_batch_form_stores_every_turn_in_order_with_the_call_defaults()
    {
        var key = await server.KeyAsync("batch");
        var client = await server.ConnectAsync(key);
        var added = await client.CallAsync("add_memory", new
        {
            agent = "maya",
            session = "s-42",
            timestamp = "2024-05-05T10:00:00Z",
            turns = new object[]
            {
                new { text = "I adopted a grey cat called Pixel.", speaker = "Maya" },
                new { text = "That is lovely news!", speaker = "assistant", timestamp = "2024-05-05T10:00:05Z" },
                new { text = "Pixel likes the balcony.", speaker = "Maya", session = "s-43" },
            },
        });
        var ids = added.Items("turn_ids").Select(e => e.GetString()).ToList();
        Assert.Equal(3, ids.Count);
        Assert.Equal(3, added.GetProperty("stored").GetInt32());

        var stored = (await server.Api(key).GetTurnsAsync("maya")).ToDictionary(t => t.Id);
        var turns = ids.Select(id => stored[id!]).ToList(); // in the order given (the store keeps conversation order)
        Assert.Equal(["I adopted a grey cat called Pixel.", "That is lovely news!", "Pixel likes the balcony."], turns.Select(t => t.Text));
        Assert.Equal(["s-42", "s-42", "s-43"], turns.Select(t => t.SessionId));
        Assert.Equal(["Maya", "assistant", "Maya"], turns.Select(t => t.Speaker));
        Assert.Equal(Conversation.TurnRole.Assistant, turns[1].Role);
        Assert.Equal(DateTimeOffset.Parse("2024-05-05T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), turns[0].Timestamp);
        Assert.Equal(DateTimeOffset.Parse("2024-05-05T10:00:05Z", System.Globalization.CultureInfo.InvariantCulture), turns[1].Timestamp);

        var hits = await client.CallAsync("search_memory", new { agent = "maya", query = "grey cat Pixel" });
        Assert.Contains(hits.Items("hits"), h => h.Str("id") == ids[0] && h.Str("kind") == "turn" && h.Str("status") == "active");
    }

    [Fact]
    public async Task Get_context_never_exceeds_its_budget()
    {
        var client = await server.ConnectAsync(await server.KeyAsync("budget"));
        var turns = Enumerable.Range(0, 80).Select(i => new { text = Facts.Get(i).Text + " It was a long and memorable day, with many details worth keeping.", speaker = "Tom" }).ToArray();
        await client.CallAsync("add_memory", new { agent = "long", turns });

        foreach (var budget in new int?[] { 20, 64, 200, null, 1000, 8000 })
        {
            var context = budget is null
                ? await client.CallAsync("get_context", new { agent = "long", query = "Where did Greta buy the kayak?" })
                : await client.CallAsync("get_context", new { agent = "long", query = "Where did Greta buy the kayak?", budget_tokens = budget });
            var limit = budget ?? 500; // the small default
            Assert.Equal(limit, context.GetProperty("budget_tokens").GetInt32());
            var text = context.Str("text");
            Assert.True(context.GetProperty("tokens").GetInt32() <= limit, $"budget {limit}: {context.GetProperty("tokens").GetInt32()} tokens");
            Assert.True(text.Length <= limit * 4, $"budget {limit}: {text.Length} characters");
            Assert.Equal((text.Length + 3) / 4, context.GetProperty("tokens").GetInt32());
            if (limit >= 200)
            {
                Assert.Contains("Greta bought a kayak", text, StringComparison.Ordinal);
                Assert.NotEmpty(context.Items("items"));
            }
        }
    }

    [Fact]
    public async Task Bad_arguments_are_tool_errors_that_say_what_to_change_and_store_nothing()
    {
        var key = await server.KeyAsync("bad-args");
        var client = await server.ConnectAsync(key);
        var api = server.Api(key);

        Assert.Contains("not both", await client.FailAsync("add_memory", new { agent = "bad", text = "x", turns = new[] { new { text = "y" } } }), StringComparison.Ordinal);
        Assert.Contains("Give 'text'", await client.FailAsync("add_memory", new { agent = "bad" }), StringComparison.Ordinal);
        Assert.Contains("turns[1].text", await client.FailAsync("add_memory", new { agent = "bad", turns = new[] { new { text = "fine" }, new { text = " " } } }), StringComparison.Ordinal);
        Assert.Contains("ISO 8601", await client.FailAsync("add_memory", new { agent = "bad", text = "x", timestamp = "yesterday" }), StringComparison.Ordinal);
        Assert.Contains("1 to 100 turns", await client.FailAsync("add_memory", new { agent = "bad", turns = Enumerable.Range(0, 101).Select(i => new { text = "t" + i }).ToArray() }), StringComparison.Ordinal);
        Assert.Contains("speaker", await client.FailAsync("add_memory", new { agent = "bad", text = "x", speaker = "bad\nname" }), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("agent name", await client.FailAsync("add_memory", new { agent = "no/slash", text = "x" }), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("integer", await client.FailAsync("search_memory", new { agent = "bad", query = "x", limit = "ten" }), StringComparison.Ordinal);
        Assert.Contains("'query' is required", await client.FailAsync("search_memory", new { agent = "bad", query = " " }), StringComparison.Ordinal);
        Assert.Contains("'agent'", await client.FailAsync("search_memory", new { query = "x" }), StringComparison.Ordinal);

        // None of those calls stored anything: the agent was never created.
        Assert.Null(await api.GetAgentAsync("bad"));

        // A protocol fault stays a protocol error: there is no such tool.
        await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(async () => await client.CallToolAsync("no_such_tool", ToolCalls.Arguments(new { agent = "bad" })));
    }

    [Fact]
    public async Task An_unknown_agent_is_a_clear_error_on_every_read_not_an_empty_result()
    {
        var client = await server.ConnectAsync(await server.KeyAsync("unknown"));
        foreach (var (tool, arguments) in new (string, object)[]
        {
            ("search_memory", new { agent = "ghost", query = "anything" }),
            ("get_context", new { agent = "ghost", query = "anything" }),
            ("list_notes", new { agent = "ghost" }),
            ("get_note", new { agent = "ghost", id = "n_1" }),
        })
        {
            var message = await client.FailAsync(tool, arguments);
            Assert.Contains("No agent named 'ghost'", message, StringComparison.Ordinal);
            Assert.Contains("list_agents", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Results_are_bounded_by_their_caps()
    {
        var key = await server.KeyAsync("caps");
        var client = await server.ConnectAsync(key);
        // 60 items of 2,000–4,000 characters (a note's most), each naming the query once among words of its own. Notes,
        // written over HTTP: a long turn is searched and shown by its passages (an excerpt, below), never whole.
        string Long(int i, int words) => $"Log {i} about the Zanzibar spice harbour. " + string.Join(' ', Enumerable.Range(0, words).Select(j => $"w{i}x{j}"));
        var api = server.Api(key);
        for (var i = 0; i < 60; i++)
        {
            await api.AddNoteAsync("caps", new MemoryFabric.Notes.NoteWrite { Text = Long(i, 400), Subject = $"harbour log {i}" });
        }

        Assert.Contains("at most 50", await client.FailAsync("search_memory", new { agent = "caps", query = "Zanzibar", limit = 51 }), StringComparison.Ordinal);
        Assert.Contains("at most 8000", await client.FailAsync("get_context", new { agent = "caps", query = "Zanzibar", budget_tokens = 8001 }), StringComparison.Ordinal);
        Assert.Contains("at least 1", await client.FailAsync("list_notes", new { agent = "caps", limit = 0 }), StringComparison.Ordinal);

        var hits = await client.CallAsync("search_memory", new { agent = "caps", query = "Zanzibar spice harbour", limit = 50 });
        var texts = hits.Items("hits").Select(h => (Text: h.Str("text"), Cut: h.GetProperty("text_truncated").GetBoolean())).ToList();
        Assert.NotEmpty(texts);
        Assert.All(texts, t => Assert.True(t.Text.Length <= 2_000 && t.Cut));
        Assert.True(texts.Sum(t => t.Text.Length) <= 40_000);
        Assert.Equal(20, texts.Count); // more matches, but 20 cut texts fill the 40,000-character cap
        Assert.True(hits.GetProperty("truncated").GetBoolean(), "a result cut at the character cap says so");
        Assert.True(JsonSerializer.Serialize(hits).Length < 60_000);

        // Long turns come back as excerpts of their best passages, under the cap, with their turn id.
        await client.CallAsync("add_memory", new { agent = "caps-turns", turns = Enumerable.Range(0, 5).Select(i => new { text = Long(i, 1500) }).ToArray() });
        var turnHits = (await client.CallAsync("search_memory", new { agent = "caps-turns", query = "Zanzibar spice harbour", limit = 5 })).Items("hits")
            .Where(h => h.Str("kind") == "turn").ToList();
        Assert.NotEmpty(turnHits);
        Assert.All(turnHits, h => Assert.True(
            h.Str("text").Contains("[excerpt of turn", StringComparison.Ordinal) && h.Str("text").Length < 2_000 && !h.GetProperty("text_truncated").GetBoolean(),
            h.Str("text")));
    }
}
