using MemoryFabric.Mcp.Tests.Support;
using MemoryFabric.Notes;

namespace MemoryFabric.Mcp.Tests;

/// <summary>list_notes, get_note, update_note and forget through the SDK's client over streamable HTTP. Notes are set
/// up through the HTTP API with the same key (the tools read and change them).</summary>
[Collection(McpServerGroup.Name)]
public sealed class NoteToolTests(McpTestServer server)
{
    [Fact]
    public async Task Update_with_an_old_version_is_refused_and_writes_nothing()
    {
        var key = await server.KeyAsync("notes");
        var api = server.Api(key);
        var client = await server.ConnectAsync(key);
        var note = (await api.AddNoteAsync("nina", Note("Nina lives in Paris.", "home city", "Paris"))).Note;

        var first = await client.CallAsync("update_note", new { agent = "nina", id = note.LineageId, text = "Nina lives in Paris, near the Canal Saint-Martin.", expected_version = 1 });
        Assert.Equal("updated", first.Str("operation"));
        Assert.Equal(2, first.GetProperty("note").GetProperty("version").GetInt32());
        Assert.Equal(1, first.GetProperty("previous_version").GetInt32());

        // A second writer still holding version 1 is refused, and nothing is written.
        var refused = await client.FailAsync("update_note", new { agent = "nina", id = note.Id, text = "Nina lives in Lyon.", expected_version = 1 });
        Assert.Contains("version 2", refused, StringComparison.Ordinal);
        Assert.Contains("nothing was written", refused, StringComparison.Ordinal);
        var history = await api.GetNoteHistoryAsync("nina", note.LineageId);
        Assert.Equal(2, history.Count);
        Assert.DoesNotContain(history, v => v.Text.Contains("Lyon", StringComparison.Ordinal));

        // get_note shows the current version and the whole history.
        var got = await client.CallAsync("get_note", new { agent = "nina", id = note.LineageId });
        Assert.Equal(2, got.GetProperty("note").GetProperty("version").GetInt32());
        Assert.Equal(["superseded", "active"], got.Items("history").Select(v => v.Str("status")));
        Assert.Equal(got.GetProperty("note").Str("id"), got.Items("history").First().Str("superseded_by"));
        Assert.False(got.GetProperty("history_truncated").GetBoolean());

        Assert.Contains("No note with id", await client.FailAsync("get_note", new { agent = "nina", id = "n_missing" }), StringComparison.Ordinal);
        Assert.Contains("expected_version", await client.FailAsync("update_note", new { agent = "nina", id = note.Id, text = "x", expected_version = 0 }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_then_search_finds_nothing()
    {
        var key = await server.KeyAsync("forget");
        var api = server.Api(key);
        var client = await server.ConnectAsync(key);
        var note = (await api.AddNoteAsync("omar", Note("Omar is allergic to hazelnuts.", "allergy", "hazelnuts"))).Note;
        await api.AddNoteAsync("omar", Note("Omar plays the oud on Sundays.", "hobby", "oud"));
        await client.CallAsync("update_note", new { agent = "omar", id = note.Id, text = "Omar is allergic to hazelnuts and almonds.", expected_version = 1 });
        Assert.Contains((await client.CallAsync("search_memory", new { agent = "omar", query = "hazelnuts allergy" })).Items("hits"), h => h.Str("kind") == "note");

        var forgotten = await client.CallAsync("forget", new { agent = "omar", id = note.LineageId });
        Assert.Equal("note", forgotten.Str("kind"));
        Assert.Equal(2, forgotten.GetProperty("removed_versions").GetInt32());

        var hits = await client.CallAsync("search_memory", new { agent = "omar", query = "hazelnuts almonds allergy" });
        Assert.DoesNotContain(hits.Items("hits"), h => h.Str("text").Contains("hazelnut", StringComparison.OrdinalIgnoreCase));
        var context = await client.CallAsync("get_context", new { agent = "omar", query = "What is Omar allergic to?" });
        Assert.DoesNotContain("hazelnut", context.Str("text"), StringComparison.OrdinalIgnoreCase);
        var gone = await Assert.ThrowsAsync<Client.MemoryFabricApiException>(() => api.GetNoteHistoryAsync("omar", note.LineageId));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);

        // Forgetting it again: nothing to remove, said plainly.
        Assert.Contains("nothing was removed", await client.FailAsync("forget", new { agent = "omar", id = note.LineageId }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_a_turn_then_search_finds_nothing_of_it()
    {
        var key = await server.KeyAsync("forget");
        var api = server.Api(key);
        var client = await server.ConnectAsync(key);
        var stored = await api.IngestAsync("tariq", [
            new Conversation.TurnInput { Id = "t_secret", SessionId = "s", Speaker = "Tariq", Text = "My locker code is zanzibarquokka 4471.", Timestamp = DateTimeOffset.UtcNow },
            new Conversation.TurnInput { Id = "t_other", SessionId = "s", Speaker = "Tariq", Text = "I also like green tea.", Timestamp = DateTimeOffset.UtcNow.AddSeconds(1) },
        ]);
        Assert.Equal(2, stored.StoredTurnIds.Count);
        Assert.Contains((await client.CallAsync("search_memory", new { agent = "tariq", query = "zanzibarquokka locker" })).Items("hits"), h => h.Str("text").Contains("zanzibarquokka", StringComparison.Ordinal));

        var forgotten = await client.CallAsync("forget", new { agent = "tariq", id = "t_secret" });
        Assert.Equal("turn", forgotten.Str("kind"));
        Assert.Equal("t_secret", forgotten.Str("id"));

        var hits = await client.CallAsync("search_memory", new { agent = "tariq", query = "zanzibarquokka locker code" });
        Assert.DoesNotContain(hits.Items("hits"), h => h.Str("text").Contains("zanzibarquokka", StringComparison.OrdinalIgnoreCase));
        var context = await client.CallAsync("get_context", new { agent = "tariq", query = "What is the locker code?" });
        Assert.DoesNotContain("zanzibarquokka", context.Str("text"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("green tea", context.Str("text"), StringComparison.Ordinal);

        // Forgetting it again: neither a note nor a turn has that id any more.
        Assert.Contains("nothing was removed", await client.FailAsync("forget", new { agent = "tariq", id = "t_secret" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_notes_pages_through_every_note_once_within_its_caps()
    {
        var key = await server.KeyAsync("paging");
        var api = server.Api(key);
        var client = await server.ConnectAsync(key);
        var made = new List<string>();
        for (var i = 0; i < 45; i++)
        {
            made.Add((await api.AddNoteAsync("pat", Note($"Pat's reading list item {i}: a book about topic number {i}.", "reading item " + i, "topic " + i))).Note.Id);
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = cursor is null
                ? await client.CallAsync("list_notes", new { agent = "pat", limit = 20 })
                : await client.CallAsync("list_notes", new { agent = "pat", limit = 20, cursor });
            var notes = page.Items("notes").ToList();
            Assert.InRange(notes.Count, 1, 20);
            seen.AddRange(notes.Select(n => n.Str("id")));
            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(made.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());

        var defaults = await client.CallAsync("list_notes", new { agent = "pat" });
        Assert.Equal(20, defaults.Items("notes").Count());
        Assert.Contains("at most 100", await client.FailAsync("list_notes", new { agent = "pat", limit = 101 }), StringComparison.Ordinal);
        Assert.Contains("cursor", await client.FailAsync("list_notes", new { agent = "pat", cursor = "not-a-cursor" }), StringComparison.Ordinal);
    }

    private static NoteWrite Note(string text, string attribute, string value) =>
        new() { Text = text, Subject = text.Split(' ')[0], Attribute = attribute, Value = value };
}
