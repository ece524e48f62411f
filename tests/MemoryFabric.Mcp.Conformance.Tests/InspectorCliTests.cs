using System.Text.Json;
using MemoryFabric.Mcp.Conformance.Tests.Support;
using Xunit.Abstractions;

namespace MemoryFabric.Mcp.Conformance.Tests;

/// <summary>A client nobody here wrote: the MCP inspector (npm <c>@modelcontextprotocol/inspector</c> 2.12.0, its
/// <c>--cli</c> mode, on Node 22) against the server's <c>/mcp</c> over streamable HTTP, with the tenant's key as a
/// bearer header, as a user would call it from a shell.</summary>
[Collection(ConformanceServerGroup.Name)]
public sealed class InspectorCliTests(ConformanceServer server, ITestOutputHelper output)
{
    private const string Agent = "inspector-user";

    [SkippableFact]
    public async Task Add_memory_then_search_memory_reads_the_fact_back()
    {
        var tools = McpTools.Require();
        await server.StartAsync();
        const string Fact = "Marguerite keeps her sourdough starter in a blue crock on the kitchen windowsill.";

        var added = await CallAsync(tools, "--method", "tools/call", "--tool-name", "add_memory",
            "--tool-arg", $"agent={Agent}", "--tool-arg", $"text={Fact}", "--tool-arg", "speaker=Marguerite");
        Assert.Equal(Agent, added.GetProperty("agent").GetString());
        Assert.Equal(1, added.GetProperty("stored").GetInt32());
        var turnId = Assert.Single(added.GetProperty("turn_ids").EnumerateArray()).GetString();
        Assert.False(string.IsNullOrEmpty(turnId));

        // At once, in another process and on another connection: the write is readable the moment add_memory returned.
        var found = await CallAsync(tools, "--method", "tools/call", "--tool-name", "search_memory",
            "--tool-arg", $"agent={Agent}", "--tool-arg", "query=Where does Marguerite keep her sourdough starter?");
        var hit = Assert.Single(found.GetProperty("hits").EnumerateArray(), h => h.GetProperty("id").GetString() == turnId);
        Assert.Contains(Fact, hit.GetProperty("text").GetString(), StringComparison.Ordinal); // rendered "Marguerite: ..."
        Assert.Equal("turn", hit.GetProperty("kind").GetString());
        Assert.Equal("active", hit.GetProperty("status").GetString());
    }

    [SkippableFact]
    public async Task Tools_list_shows_the_eight_tools_with_schemas_the_inspector_finds_no_error_in()
    {
        var tools = McpTools.Require();
        await server.StartAsync();

        // --strict: the inspector's schema portability check; it exits 6 on an error-severity finding.
        var listed = await CallAsync(tools, "--method", "tools/list", "--strict");
        var names = listed.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Equal(["add_memory", "search_memory", "get_context", "list_notes", "get_note", "update_note", "forget", "list_agents"], names);
        Assert.All(listed.GetProperty("tools").EnumerateArray(), tool =>
        {
            Assert.Equal("object", tool.GetProperty("inputSchema").GetProperty("type").GetString());
            Assert.Equal("object", tool.GetProperty("outputSchema").GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(tool.GetProperty("description").GetString()));
        });
    }

    [SkippableFact]
    public async Task A_call_without_the_key_is_refused_before_MCP()
    {
        var tools = McpTools.Require();
        await server.StartAsync();

        // --stored-auth-only: no interactive OAuth; the 401 ends the run.
        var run = await RunAsync(tools, withKey: false, "--method", "tools/list");

        // The inspector's error envelope on stderr: auth_required, with the server's 401 problem in its message.
        Assert.NotEqual(0, run.ExitCode);
        Assert.DoesNotContain("add_memory", run.StandardOutput, StringComparison.Ordinal);
        using var envelope = JsonDocument.Parse(run.StandardError);
        var error = envelope.RootElement.GetProperty("error");
        Assert.Equal("auth_required", error.GetProperty("code").GetString());
        var message = error.GetProperty("message").GetString();
        Assert.Contains("\"status\":401", message, StringComparison.Ordinal);
        Assert.Contains("/problems/unauthorized", message, StringComparison.Ordinal);
    }

    // The inspector's CLI with --format json: one JSON object on stdout, {"result": ...}; for tools/call the result's
    // structuredContent.
    private async Task<JsonElement> CallAsync(McpTools tools, params string[] args)
    {
        var run = await RunAsync(tools, withKey: true, args);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.StandardOutput);
        var result = json.RootElement.GetProperty("result");
        return (result.TryGetProperty("structuredContent", out var structured) ? structured : result).Clone();
    }

    private async Task<ToolRun> RunAsync(McpTools tools, bool withKey, params string[] args)
    {
        var work = Directory.CreateTempSubdirectory("mf-mcp-inspector-").FullName;
        try
        {
            string[] connection =
            [
                "--cli", server.McpEndpoint.ToString(), "--transport", "http", "--stored-auth-only", "--format", "json",
                .. withKey ? new[] { "--header", $"Authorization: Bearer {server.Key}" } : [],
            ];
            // HOME is the work directory (McpTools.RunAsync): the inspector's catalog and client files go there.
            var run = await tools.RunAsync(tools.Inspector, [.. connection, .. args], work, TimeSpan.FromMinutes(2));
            run = run with { Command = run.Command.Replace(server.Key, "mfk_…", StringComparison.Ordinal) };
            output.WriteLine(run.ToString());
            return run;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
