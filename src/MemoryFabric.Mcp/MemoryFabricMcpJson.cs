using System.Text.Json;
using System.Text.Json.Serialization;
using ModelContextProtocol;

namespace MemoryFabric.Mcp;

/// <summary>The JSON of the tools' arguments, results and schemas: the MCP SDK's options with snake_case names
/// (<c>turn_ids</c>, <c>next_cursor</c>), as MCP tools usually name them.</summary>
public static class MemoryFabricMcpJson
{
    /// <summary>The options.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(McpJsonUtilities.DefaultOptions)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.MakeReadOnly();
        return options;
    }
}
