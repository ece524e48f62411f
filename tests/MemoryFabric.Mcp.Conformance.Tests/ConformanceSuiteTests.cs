using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MemoryFabric.Mcp.Conformance.Tests.Support;
using Xunit.Abstractions;

namespace MemoryFabric.Mcp.Conformance.Tests;

/// <summary>The official MCP conformance suite (npm <c>@modelcontextprotocol/conformance</c> 0.1.16, on Node 22) against
/// the real <c>/mcp</c> of a started server. The suite's runner sends no <c>Authorization</c> header, so it talks to a
/// <see cref="BearerProxy"/> that adds the tenant's key and forwards everything else as sent (Host and Origin
/// included: the DNS-rebinding scenario is judged by the server). Its active suite runs with
/// <c>conformance-baseline.yml</c> as the expected failures: any other failure, or a baseline entry that passes,
/// fails the test.</summary>
[Collection(ConformanceServerGroup.Name)]
public sealed class ConformanceSuiteTests(ConformanceServer server, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task The_active_suite_has_no_failure_outside_the_fixture_baseline()
    {
        var tools = McpTools.Require();
        await server.StartAsync();
        var work = Directory.CreateTempSubdirectory("mf-mcp-conformance-").FullName;
        try
        {
            var results = Path.Combine(work, "results");
            var run = await tools.RunAsync(tools.Conformance,
                ["server", "--url", server.ProxiedMcpEndpoint.ToString(), "--suite", "active", "--expected-failures", Baseline.FilePath, "-o", results],
                work, TimeSpan.FromMinutes(10));
            var scenarios = ScenarioResult.ReadAll(results);
            var baseline = Baseline.Entries().Select(e => e.Scenario).ToHashSet(StringComparer.Ordinal);
            var table = ScenarioResult.Table(scenarios, baseline);
            output.WriteLine($"{table}\n{run}"); // the scenarios with their failed checks, then the suite's own output
            var report = $"{table}(the suite's output is in the test's output)";

            // The scenarios that apply to any server ran, and passed.
            foreach (var scenario in Baseline.MustPass)
            {
                Assert.True(scenarios.TryGetValue(scenario, out var result), $"the suite did not run {scenario}:\n{report}\n{run}");
                Assert.True(result.Passed, $"{scenario} failed: it applies to any server, so /mcp must pass it:\n{report}\n--- server ---\n{server.ServerOutput}");
            }

            // Everything else that failed is in the baseline, and every baseline entry ran and failed.
            var unexpected = scenarios.Values.Where(r => !r.Passed && !baseline.Contains(r.Scenario)).Select(r => r.Scenario).ToList();
            Assert.True(unexpected.Count == 0, $"unexpected failures: {string.Join(", ", unexpected)}\n{report}\n--- server ---\n{server.ServerOutput}");
            var stale = baseline.Where(s => scenarios.TryGetValue(s, out var r) && r.Passed).ToList();
            Assert.True(stale.Count == 0, $"baseline entries that now pass (remove them from conformance-baseline.yml): {string.Join(", ", stale)}\n{report}");
            var notRun = baseline.Where(s => !scenarios.ContainsKey(s)).ToList();
            Assert.True(notRun.Count == 0, $"baseline entries the active suite did not run: {string.Join(", ", notRun)}\n{report}");

            // And the suite's own verdict agrees.
            Assert.True(run.ExitCode == 0, $"the suite exited {run.ExitCode}:\n{report}");
            Assert.Contains("Baseline check passed: all failures are expected.", run.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task The_baseline_lists_no_capability_the_endpoint_declares()
    {
        await server.StartAsync();

        var capabilities = await InitializeAsync();
        output.WriteLine($"capabilities: {capabilities}");

        Assert.True(capabilities.TryGetProperty("tools", out _), $"/mcp does not declare tools: {capabilities}");
        foreach (var (scenario, _) in Baseline.Entries())
        {
            if (Baseline.CapabilityScenarios.TryGetValue(scenario, out var capability))
            {
                Assert.False(capabilities.TryGetProperty(capability, out _),
                    $"/mcp declares '{capability}', so {scenario} applies to it and must pass: remove it from conformance-baseline.yml");
            }
        }
    }

    [Fact]
    public async Task The_proxy_leaves_Host_and_Origin_to_the_server()
    {
        await server.StartAsync();

        // What the suite's dns-rebinding-protection scenario sends: a foreign Host and Origin, through the proxy.
        using var hostile = await InitializeThroughProxyAsync("evil.example.com");
        var refusal = await hostile.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Forbidden, hostile.StatusCode);
        Assert.Contains("/problems/forbidden-host", refusal, StringComparison.Ordinal); // the server's refusal, not the proxy's

        // The proxy's own loopback address as Host and Origin: the server answers, with the key the proxy added.
        using var local = await InitializeThroughProxyAsync(server.ProxiedMcpEndpoint.Authority);
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        Assert.Contains("\"serverInfo\"", await local.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> InitializeThroughProxyAsync(string host)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Post, server.ProxiedMcpEndpoint) { Content = InitializeBody() };
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("Origin", $"http://{host}");
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static StringContent InitializeBody() => new(
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"memoryfabric-conformance-tests","version":"1.0.0"}}}""",
        Encoding.UTF8, "application/json");

    // initialize straight to /mcp with the key (the SDK's JSON-RPC over HTTP, answered as JSON or as one SSE event).
    private async Task<JsonElement> InitializeAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Post, server.McpEndpoint) { Content = InitializeBody() };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.Key);
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"initialize: {(int)response.StatusCode} {body}");
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? string.Concat(body.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].Trim()))
            : body;
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("result").GetProperty("capabilities").Clone();
    }
}
