using System.Text.Json;
using MemoryFabric.Mcp.Tests.Support;

namespace MemoryFabric.Mcp.Tests;

/// <summary><c>memfab mcp</c> over stdio, started by the SDK's <c>StdioClientTransport</c> as a desktop client starts
/// it: on an embedded fabric (<c>--data-dir</c>), and in front of the running server (<c>--url</c>, <c>--key</c>).</summary>
[Collection(McpServerGroup.Name)]
public sealed class StdioTests(McpTestServer server)
{
    [Fact]
    public async Task On_an_embedded_fabric_the_tools_store_find_pack_update_and_forget()
    {
        using var data = new TempDirectory();
        // A note to update and forget, added by hand before the MCP server takes the data directory.
        var added = await Memfab.RunAsync("notes", "add", "--agent", "me", "--text", "I prefer green tea in the morning.", "--subject", "me",
            "--attribute", "morning drink", "--value", "green tea", "--json", "--local", "--data", data.Path, "--embedder", "hashing");
        Assert.True(added.Code == 0, added.Error);
        var noteId = JsonDocument.Parse(added.Out).RootElement.GetProperty("note").GetProperty("id").GetString();

        var stderr = new List<string>();
        await using (var client = await Memfab.ConnectAsync(stderr, "--data-dir", data.Path, "--embedder", "hashing", "--agent", "me"))
        {
            var tools = await client.ListToolsAsync();
            Assert.Equal(8, tools.Count);
            Assert.All(tools, t => Assert.NotNull(t.ProtocolTool.OutputSchema));

            // No agent argument: --agent is the default.
            var stored = await client.CallAsync("add_memory", new { text = "My sister Lena moved to Montreal in March.", speaker = "me" });
            var id = Assert.Single(stored.Items("turn_ids")).GetString();
            Assert.Equal("me", stored.Str("agent"));
            var hits = await client.CallAsync("search_memory", new { query = "Where did Lena move?" });
            Assert.Contains(hits.Items("hits"), h => h.Str("id") == id);

            var context = await client.CallAsync("get_context", new { query = "Where does Lena live?", budget_tokens = 40 });
            Assert.True(context.GetProperty("tokens").GetInt32() <= 40);

            Assert.Contains("version 1", await client.FailAsync("update_note", new { id = noteId, text = "I prefer black tea.", expected_version = 3 }), StringComparison.Ordinal);
            var updated = await client.CallAsync("update_note", new { id = noteId, text = "I prefer green tea with mint in the morning.", expected_version = 1 });
            Assert.Equal(2, updated.GetProperty("note").GetProperty("version").GetInt32());
            var forgotten = await client.CallAsync("forget", new { id = noteId });
            Assert.Equal(2, forgotten.GetProperty("removed_versions").GetInt32());
            Assert.DoesNotContain((await client.CallAsync("search_memory", new { query = "green tea mint morning" })).Items("hits"), h => h.Str("kind") == "note");
        }

        Assert.Contains(stderr, l => l.Contains("memfab mcp: serving the MemoryFabric tools over stdio", StringComparison.Ordinal));

        // Closing the client stopped the process gracefully: the memory is there on the next start.
        await using (var again = await Memfab.ConnectAsync(stderr, "--data-dir", data.Path, "--embedder", "hashing"))
        {
            Assert.Contains("'agent'", await again.FailAsync("search_memory", new { query = "Lena" }), StringComparison.Ordinal); // no default now
            var hits = await again.CallAsync("search_memory", new { agent = "me", query = "Where did Lena move?" });
            Assert.Contains(hits.Items("hits"), h => h.Str("text").Contains("Montreal", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Standard_output_carries_only_protocol_messages()
    {
        using var data = new TempDirectory();
        using var process = Memfab.Start(["mcp", "--data-dir", data.Path, "--embedder", "hashing", "--agent", "me"]);
        var error = process.StandardError.ReadToEndAsync();
        string[] requests =
        [
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""",
            """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add_memory","arguments":{"text":"Raw stdio works."}}}""",
            """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"search_memory","arguments":{"query":"raw stdio"}}}""",
        ];
        var lines = new List<string>();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            foreach (var request in requests)
            {
                await process.StandardInput.WriteLineAsync(request);
                lines.Add(await process.StandardOutput.ReadLineAsync(timeout.Token) ?? string.Empty); // its answer, before the next request
                if (lines.Count == 1)
                {
                    await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
                }
            }
        }

        process.StandardInput.Close(); // the client goes away: memfab mcp stops
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            await process.WaitForExitAsync(timeout.Token);
        }

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(3, lines.Count);
        var ids = new List<int>();
        foreach (var line in lines)
        {
            using var message = JsonDocument.Parse(line); // every line is a JSON-RPC message
            Assert.Equal("2.0", message.RootElement.GetProperty("jsonrpc").GetString());
            Assert.False(message.RootElement.TryGetProperty("error", out _), line);
            ids.Add(message.RootElement.GetProperty("id").GetInt32());
        }

        Assert.Equal([1, 2, 3], ids);
        Assert.Contains("Raw stdio works.", lines[2], StringComparison.Ordinal);
        Assert.Contains("memfab mcp: serving", await error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_front_of_a_server_the_keys_scopes_hold()
    {
        var full = await server.KeyAsync("stdio-remote");
        var reader = await server.KeyAsync("stdio-remote", "read");
        var stderr = new List<string>();
        await using (var client = await Memfab.ConnectAsync(stderr, "--url", server.Address.ToString(), "--key", full, "--agent", "remote"))
        {
            var stored = await client.CallAsync("add_memory", new { text = "Remote stdio stores through the server." });
            Assert.Equal("remote", stored.Str("agent"));
        }

        await using (var client = await Memfab.ConnectAsync(stderr, "--url", server.Address.ToString(), "--key", reader, "--agent", "remote"))
        {
            var hits = await client.CallAsync("search_memory", new { query = "remote stdio server" });
            Assert.Contains(hits.Items("hits"), h => h.Str("text").Contains("Remote stdio", StringComparison.Ordinal));
            Assert.Contains("'write' scope", await client.FailAsync("add_memory", new { text = "Not allowed." }), StringComparison.Ordinal);
            Assert.Contains("'forget' scope", await client.FailAsync("forget", new { id = "n_x" }), StringComparison.Ordinal);
        }

        await using (var wrong = await Memfab.ConnectAsync(stderr, "--url", server.Address.ToString(), "--key", "mfk_wrong", "--agent", "remote"))
        {
            Assert.Contains("refused the API key", await wrong.FailAsync("search_memory", new { query = "x" }), StringComparison.Ordinal);
        }
    }
}
