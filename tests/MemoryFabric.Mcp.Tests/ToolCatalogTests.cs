using System.Text.Json;
using MemoryFabric.Mcp.Tests.Support;

namespace MemoryFabric.Mcp.Tests;

/// <summary>tools/list over streamable HTTP: the tool names and argument names the issue fixes, each tool with a
/// description, an input schema, an output schema (structured output) and its annotations.</summary>
[Collection(McpServerGroup.Name)]
public sealed class ToolCatalogTests(McpTestServer server)
{
    private static readonly Dictionary<string, string[]> Arguments = new(StringComparer.Ordinal)
    {
        ["add_memory"] = ["agent", "text", "speaker", "session", "timestamp", "turns"],
        ["search_memory"] = ["agent", "query", "limit", "as_of"],
        ["get_context"] = ["agent", "query", "budget_tokens"],
        ["list_notes"] = ["agent", "cursor", "limit"],
        ["get_note"] = ["agent", "id"],
        ["update_note"] = ["agent", "id", "text", "expected_version"],
        ["forget"] = ["agent", "id", "forget_sources"],
        ["list_agents"] = ["cursor", "limit"],
    };

    // read-only, destructive, idempotent
    private static readonly Dictionary<string, (bool ReadOnly, bool Destructive, bool Idempotent)> Annotations = new(StringComparer.Ordinal)
    {
        ["add_memory"] = (false, false, false),
        ["search_memory"] = (true, false, true),
        ["get_context"] = (true, false, true),
        ["list_notes"] = (true, false, true),
        ["get_note"] = (true, false, true),
        ["update_note"] = (false, false, false),
        ["forget"] = (false, true, true),
        ["list_agents"] = (true, false, true),
    };

    [Fact]
    public async Task Lists_every_tool_with_its_arguments_schemas_and_annotations()
    {
        var client = await server.ConnectAsync(await server.KeyAsync("catalog", "read"));
        var tools = await client.ListToolsAsync();

        Assert.Equal(Arguments.Keys.Order(StringComparer.Ordinal), tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var tool in tools)
        {
            var protocol = tool.ProtocolTool;
            Assert.False(string.IsNullOrWhiteSpace(protocol.Description), tool.Name);
            var input = protocol.InputSchema;
            Assert.Equal("object", input.GetProperty("type").GetString());
            var names = input.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(Arguments[tool.Name].Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
            foreach (var property in input.GetProperty("properties").EnumerateObject())
            {
                Assert.True(property.Value.TryGetProperty("description", out _), $"{tool.Name}.{property.Name} has no description");
            }

            Assert.NotNull(protocol.OutputSchema);
            Assert.Equal("object", protocol.OutputSchema.Value.GetProperty("type").GetString());
            var expected = Annotations[tool.Name];
            Assert.NotNull(protocol.Annotations);
            Assert.Equal(expected.ReadOnly, protocol.Annotations.ReadOnlyHint);
            Assert.Equal(expected.Destructive, protocol.Annotations.DestructiveHint);
            Assert.Equal(expected.Idempotent, protocol.Annotations.IdempotentHint);
            Assert.False(protocol.Annotations.OpenWorldHint);
        }

        // The required arguments are the ones without which a call means nothing.
        Assert.Equal(["query"], Required(tools.Single(t => t.Name == "search_memory").ProtocolTool.InputSchema));
        Assert.Equal(["expected_version", "id", "text"], Required(tools.Single(t => t.Name == "update_note").ProtocolTool.InputSchema));
        Assert.Empty(Required(tools.Single(t => t.Name == "add_memory").ProtocolTool.InputSchema));
    }

    [Fact]
    public async Task The_handshake_names_the_server_and_tells_the_model_how_to_use_it()
    {
        var client = await server.ConnectAsync(await server.KeyAsync("catalog", "read"));
        Assert.Equal("memoryfabric", client.ServerInfo?.Name);
        Assert.Contains("get_context", client.ServerInstructions, StringComparison.Ordinal);
        Assert.NotNull(client.ServerCapabilities?.Tools);
    }

    private static List<string> Required(JsonElement schema) =>
        schema.TryGetProperty("required", out var required) ? [.. required.EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal)] : [];
}
