using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MemoryFabric.Mcp.Tests.Support;

/// <summary>Calls tools the way an agent does and reads their results.</summary>
internal static class ToolCalls
{
    /// <summary>Calls a tool that must succeed; returns its structured content.</summary>
    public static async Task<JsonElement> CallAsync(this McpClient client, string tool, object arguments)
    {
        var result = await client.CallToolAsync(tool, Arguments(arguments));
        Assert.True(result.IsError != true, $"{tool} failed: {Text(result)}");
        Assert.NotNull(result.StructuredContent);
        return result.StructuredContent.Value;
    }

    /// <summary>Calls a tool that must fail with a tool error (not a protocol error); returns its message.</summary>
    public static async Task<string> FailAsync(this McpClient client, string tool, object arguments)
    {
        var result = await client.CallToolAsync(tool, Arguments(arguments));
        Assert.True(result.IsError == true, $"{tool} was expected to fail: {Text(result)}");
        var text = Text(result);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // no stack trace
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        return text;
    }

    public static string Text(CallToolResult result) =>
        string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    public static IReadOnlyDictionary<string, object?> Arguments(object arguments) =>
        JsonSerializer.SerializeToElement(arguments).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);

    public static IEnumerable<JsonElement> Items(this JsonElement element, string property) => element.GetProperty(property).EnumerateArray();

    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString() ?? string.Empty;
}
