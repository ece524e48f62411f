using System.Diagnostics;
using System.Text.RegularExpressions;
using MemoryFabric.Mcp.Diagnostics;
using MemoryFabric.Mcp.Tests.Support;

namespace MemoryFabric.Mcp.Tests;

/// <summary>Tool calls in the server's own metrics (<c>/metrics</c>) and traces, by tool name and outcome.</summary>
[Collection(McpServerGroup.Name)]
public sealed partial class TelemetryTests(McpTestServer server)
{
    [Fact]
    public async Task Tool_calls_are_counted_timed_and_traced_by_tool_and_outcome()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == MemoryFabricMcpTelemetry.ActivitySourceName || s.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (spans)
                {
                    spans.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var client = await server.ConnectAsync(await server.KeyAsync("telemetry"));
        await client.CallAsync("add_memory", new { agent = "metered", text = "Counting calls." });
        await client.CallAsync("search_memory", new { agent = "metered", query = "counting" });
        await client.FailAsync("search_memory", new { agent = "nobody-here", query = "counting" });
        await client.FailAsync("get_context", new { agent = "metered", query = "x", budget_tokens = 0 });

        using var http = server.Http();
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.True(Count(metrics, "add_memory", "ok") >= 1, metrics);
        Assert.True(Count(metrics, "search_memory", "ok") >= 1);
        Assert.True(Count(metrics, "search_memory", "not_found") >= 1);
        Assert.True(Count(metrics, "get_context", "invalid_arguments") >= 1);
        Assert.Matches(DurationLine(), metrics);

        Activity[] tools;
        lock (spans)
        {
            tools = [.. spans.Where(s => s.OperationName == "memoryfabric.mcp.tool")];
        }

        var failed = Assert.Single(tools, s => (string?)s.GetTagItem("gen_ai.tool.name") == "get_context" && (string?)s.GetTagItem("memoryfabric.mcp.outcome") == "invalid_arguments");
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        var added = tools.Last(s => (string?)s.GetTagItem("gen_ai.tool.name") == "add_memory" && (string?)s.GetTagItem("memoryfabric.mcp.outcome") == "ok");
        // A child of the HTTP request's span: the tool call is part of the same trace as the request.
        Assert.NotNull(added.ParentId);
        lock (spans)
        {
            Assert.Contains(spans, s => s.OperationName.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && s.SpanId == added.ParentSpanId);
        }
    }

    private static double Count(string metrics, string tool, string outcome)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("memoryfabric_mcp_tool_calls_total{", StringComparison.Ordinal)
            && l.Contains($"tool=\"{tool}\"", StringComparison.Ordinal) && l.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("memoryfabric_mcp_tool_duration_seconds_bucket\\{[^}]*tool=\"search_memory\"")]
    private static partial Regex DurationLine();
}
