using System.Text.Json;
using MemoryFabric.Cli;

namespace MemoryFabric.Evaluation.Tests.Cli;

/// <summary><c>memfab bench http</c> end to end on a tiny load (the real server in-process on loopback, the hashing
/// embedder, 3 agents × 50 turns, a 2 s mix, two cold activations, each in a fresh <c>memfab serve</c> process, the page
/// cache kept): the JSON shape and that the counts agree. No timing is asserted. Runs alone: the server's
/// OpenTelemetry meter provider subscribes to meters by name process-wide, so an in-process silo of a test running in
/// parallel feeds the same series (and, we believe, a silo stopping mid-run disposes instruments of the same name);
/// CI at 18e17ca once saw the mixed phase's agent-call count between two scrapes come out 0.</summary>
[Collection(nameof(BenchHttpCommandTests))]
[CollectionDefinition(nameof(BenchHttpCommandTests), DisableParallelization = true)]
public class BenchHttpCommandTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Bench_http_runs_every_phase_and_writes_consistent_counts()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-bench-http-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, error) = await RunAsync(
                "bench", "http", "--agents", "3", "--turns", "50", "--batch-size", "20", "--connections", "4", "--duration", "2", "--warmup", "0.5",
                "--cold-turns", "200", "--cold-repeats", "2", "--page-cache", "keep", "--embedder", "hashing", "--drain-timeout", "120", "--out", outPath);

            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            var root = json.RootElement;
            Assert.Equal("hashing", root.GetProperty("embedder").GetString());
            Assert.Equal("in-process", root.GetProperty("server").GetString());
            var parameters = root.GetProperty("parameters");
            Assert.Equal(3, parameters.GetProperty("agents").GetInt32());
            Assert.Equal(50, parameters.GetProperty("turns_per_agent").GetInt32());
            Assert.Equal(1000, parameters.GetProperty("consolidate_after_turns").GetInt32());
            Assert.Contains(parameters.GetProperty("texts").GetString(), new[] { "locomo", "synthetic" });
            Assert.True(root.GetProperty("machine").GetProperty("processor_count").GetInt32() >= 1);

            // Ingest: 3 agents × 50 turns in batches of 20 (20, 20, 10) = 9 batches, all acknowledged.
            var ingest = root.GetProperty("ingest");
            Assert.Equal(150, ingest.GetProperty("turns").GetInt64());
            Assert.Equal(9, ingest.GetProperty("batches").GetInt64());
            Assert.Equal(9, ingest.GetProperty("batch_latency").GetProperty("count").GetInt64());
            Assert.Equal(0, ingest.GetProperty("errors").GetProperty("total").GetInt64());
            Assert.True(ingest.GetProperty("turns_per_second").GetDouble() > 0);

            // Drain: the dense index caught up; 50 turns trigger no consolidation (every 1,000).
            var drain = root.GetProperty("drain");
            Assert.False(drain.GetProperty("capped").GetBoolean());
            Assert.False(drain.GetProperty("stalled").GetBoolean());
            Assert.Equal(0, drain.GetProperty("pending_embeddings").GetInt64());
            Assert.Equal(0, drain.GetProperty("consolidations_expected").GetInt32());
            Assert.Equal(0, drain.GetProperty("consolidations_ran").GetInt64());

            // Mixed: the operations add up, every request succeeded, each ingest stored its 10 turns.
            var mixed = root.GetProperty("mixed");
            var search = mixed.GetProperty("search");
            var mixedIngest = mixed.GetProperty("ingest");
            Assert.True(search.GetProperty("count").GetInt64() > 0);
            Assert.Equal(mixed.GetProperty("requests").GetInt64(), search.GetProperty("count").GetInt64() + mixedIngest.GetProperty("count").GetInt64());
            Assert.Equal(search.GetProperty("count").GetInt64(), search.GetProperty("latency").GetProperty("count").GetInt64());
            Assert.Equal(mixedIngest.GetProperty("count").GetInt64() * 10, mixed.GetProperty("ingested_turns").GetInt64());
            Assert.Equal(0, mixed.GetProperty("errors").GetProperty("total").GetInt64());
            Assert.Equal(0, mixed.GetProperty("errors").GetProperty("server_errors").GetInt64());
            Assert.Equal(JsonValueKind.Object, mixed.GetProperty("server").ValueKind);
            Assert.True(mixed.GetProperty("server").GetProperty("agent_calls").GetInt64() > 0);
            Assert.True(mixed.GetProperty("process").GetProperty("cpu_utilization").GetDouble() >= 0);
            // Open loop (1,000 requests/s by default): every measured request's send lag; the pauses one by one.
            Assert.Equal(mixed.GetProperty("requests").GetInt64(), mixed.GetProperty("send_lag").GetProperty("count").GetInt64());
            var pauses = mixed.GetProperty("process").GetProperty("gc_pauses");
            Assert.Equal(25, pauses.GetProperty("long_ms").GetDouble());
            Assert.True(pauses.GetProperty("long_count").GetInt32() <= pauses.GetProperty("count").GetInt32());
            var slowShare = mixed.GetProperty("server").GetProperty("search_requests_over25_ms_share").GetDouble();
            Assert.InRange(slowShare, 0, 1);
            Assert.Contains("- Load generator (open loop): requests sent p50", output, StringComparison.Ordinal);
            var latency = search.GetProperty("latency");
            Assert.True(latency.GetProperty("p50_ms").GetDouble() <= latency.GetProperty("p99_ms").GetDouble());
            Assert.True(latency.GetProperty("p99_ms").GetDouble() <= latency.GetProperty("max_ms").GetDouble());

            // Cold activation: two fresh server processes, the agent intact in each; spawn to answer = ready + first request.
            var cold = root.GetProperty("cold_activation");
            Assert.Equal(200, cold.GetProperty("turns").GetInt64());
            Assert.Equal(2, cold.GetProperty("cold_ms").GetArrayLength());
            Assert.StartsWith("warm", cold.GetProperty("page_cache").GetString(), StringComparison.Ordinal);
            Assert.EndsWith("serve", cold.GetProperty("server_process").GetString(), StringComparison.Ordinal);
            for (var i = 0; i < 2; i++)
            {
                var total = cold.GetProperty("start_to_answer_ms")[i].GetDouble();
                var ready = cold.GetProperty("start_to_ready_ms")[i].GetDouble();
                Assert.Equal(total, ready + cold.GetProperty("cold_ms")[i].GetDouble(), 1);
                Assert.True(ready > 0);
            }

            // The same activation in a fresh process that first answered for another agent: one per start.
            Assert.Equal(2, cold.GetProperty("in_warm_process_ms").GetArrayLength());
            Assert.All(cold.GetProperty("in_warm_process_ms").EnumerateArray(), v => Assert.True(v.GetDouble() > 0));
            Assert.True(cold.GetProperty("in_warm_process_median_ms").GetDouble() > 0);
            Assert.Contains("in a fresh process that first answered for agent-000", error, StringComparison.Ordinal);
            Assert.Contains("| the same activation in a fresh process that first answered for another agent", output, StringComparison.Ordinal);

            Assert.True(cold.GetProperty("cold_median_ms").GetDouble() > 0);
            Assert.True(cold.GetProperty("warm_median_ms").GetDouble() > 0);
            Assert.Equal(JsonValueKind.Null, root.GetProperty("cold_activation_skipped").ValueKind);

            Assert.Equal(0, root.GetProperty("total_errors").GetInt64());
            var targets = root.GetProperty("targets");
            Assert.Equal(25, targets.GetProperty("search_p99_ms").GetDouble());
            Assert.Contains(targets.GetProperty("cold_activation_met").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });

            Assert.Contains("| search p99 ≤ 25 ms |", output, StringComparison.Ordinal);
            Assert.Contains("| mixed | search |", output, StringComparison.Ordinal);
            Assert.Contains("memfab bench http: ingest:", error, StringComparison.Ordinal);
            Assert.Contains("fresh process to first answer", error, StringComparison.Ordinal);
            Assert.Contains("| fresh server process to first answer", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Fact]
    public async Task Tracing_compare_runs_each_mode_in_fresh_processes_in_alternating_order()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-bench-tracing-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, error) = await RunAsync(
                "bench", "http", "--agents", "2", "--turns", "30", "--batch-size", "15", "--connections", "2", "--duration", "1", "--warmup", "0",
                "--cold-turns", "0", "--embedder", "hashing", "--drain-timeout", "120", "--tracing", "compare", "--rounds", "2", "--out", outPath);

            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            var runs = json.RootElement.GetProperty("runs").EnumerateArray().ToArray();

            // Round 1 off then on, round 2 on then off; each child got the options given here.
            Assert.Equal(["off", "on", "on", "off"], runs.Select(r => r.GetProperty("tracing").GetString()));
            Assert.Equal([1, 1, 2, 2], runs.Select(r => r.GetProperty("round").GetInt32()));
            var p99 = new Dictionary<string, List<double>> { ["off"] = [], ["on"] = [] };
            foreach (var run in runs)
            {
                var report = run.GetProperty("report");
                Assert.Equal(2, report.GetProperty("parameters").GetProperty("agents").GetInt32());
                Assert.Equal(60, report.GetProperty("ingest").GetProperty("turns").GetInt64());
                Assert.Equal("hashing", report.GetProperty("embedder").GetString());
                Assert.Equal(JsonValueKind.Null, report.GetProperty("cold_activation").ValueKind);
                Assert.True(report.GetProperty("mixed").GetProperty("search").GetProperty("count").GetInt64() > 0);
                p99[run.GetProperty("tracing").GetString()!].Add(report.GetProperty("mixed").GetProperty("search").GetProperty("latency").GetProperty("p99_ms").GetDouble());
            }

            // Two runs per mode: the median is their mean.
            Assert.Equal(p99["off"].Average(), json.RootElement.GetProperty("search_p99_median_off_ms").GetDouble(), 6);
            Assert.Equal(p99["on"].Average(), json.RootElement.GetProperty("search_p99_median_on_ms").GetDouble(), 6);
            Assert.Contains("## Round 2, tracing off", output, StringComparison.Ordinal);
            Assert.Contains("Search p99, median of the runs: tracing off", output, StringComparison.Ordinal);
            Assert.Contains("tracing compare: round 2/2, tracing on", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Fact]
    public void Tracing_compare_alternates_the_order_by_round()
    {
        Assert.Equal([false, true], global::MemoryFabric.Benchmarks.Http.TracingComparison.Order(1));
        Assert.Equal([true, false], global::MemoryFabric.Benchmarks.Http.TracingComparison.Order(2));
        Assert.Equal([false, true], global::MemoryFabric.Benchmarks.Http.TracingComparison.Order(3));
    }

    [Theory]
    [InlineData("--rounds", "2")]
    [InlineData("--search-share", "1.5")]
    [InlineData("--connections", "0")]
    [InlineData("--embedder", "word2vec")]
    [InlineData("--key", "mfk_x")]
    [InlineData("--url", "not a url")]
    public async Task Bad_options_exit_with_2(string option, string value)
    {
        var (code, _, error) = await RunAsync("bench", "http", option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("memfab: ", error, StringComparison.Ordinal);
    }
}
