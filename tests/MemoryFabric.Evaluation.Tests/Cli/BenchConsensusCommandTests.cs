using System.Text.Json;
using MemoryFabric.Cli;

namespace MemoryFabric.Evaluation.Tests.Cli;

/// <summary><c>memfab bench consensus</c> end to end on a small group (5 agents, 10 notes each, 20 weak claims; an
/// in-process silo with SQLite): the JSON shape, that the counts agree, and that both paths return the same claims and
/// verdicts (with 50 notes, the shards' search returns every peer note, so the claims must be identical). No timing is
/// asserted.</summary>
public class BenchConsensusCommandTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Bench_consensus_measures_both_paths_on_the_same_claims_and_compares_their_verdicts()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-bench-consensus-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, error) = await RunAsync("bench", "consensus", "--agents", "5", "--notes-per-agent", "10", "--queries", "20", "--warm-up", "4", "--out", outPath);

            Assert.True(code == 0, error);
            Assert.Contains("| today: the guard grain's published claims |", output, StringComparison.Ordinal);
            Assert.Contains("| through the shards (", output, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            var root = json.RootElement;
            Assert.Equal(5, root.GetProperty("agents").GetInt32());
            Assert.Equal(50, root.GetProperty("notes").GetInt32());
            Assert.Equal(20, root.GetProperty("queries").GetInt32());
            Assert.Equal(20, root.GetProperty("queries_by_kind").EnumerateObject().Sum(k => k.Value.GetInt32()));

            // Everything written is in the shards, nobody is pending, and every note was published and mirrored.
            Assert.Equal(50, root.GetProperty("vectors_in_shards").GetInt32());
            Assert.Equal(0, root.GetProperty("pending_agents_at_lookups").GetInt32());
            Assert.Equal(0, root.GetProperty("agents_asked_directly").GetInt32());
            Assert.Equal(50, root.GetProperty("publish").GetProperty("calls").GetInt64());
            Assert.Equal(50, root.GetProperty("shard_upserts").GetProperty("items").GetInt64());
            Assert.True(root.GetProperty("shard_upserts").GetProperty("bytes").GetInt64() >= 50 * 384 * 4);

            foreach (var path in new[] { "guard_lookup", "shard_lookup" })
            {
                var latency = root.GetProperty(path);
                Assert.Equal(20, latency.GetProperty("count").GetInt64());
                Assert.True(latency.GetProperty("p50_ms").GetDouble() > 0);
                Assert.True(latency.GetProperty("p99_ms").GetDouble() >= latency.GetProperty("p50_ms").GetDouble());
            }

            Assert.True(root.GetProperty("mean_agents_describing").GetDouble() > 0);
            var agreement = root.GetProperty("agreement");
            Assert.Equal(20, agreement.GetProperty("claim_sets_identical").GetInt32());
            Assert.Equal(0, agreement.GetProperty("claims_only_through_guard").GetInt32());
            Assert.Equal(20, agreement.GetProperty("verdicts_agree").GetInt32());
            Assert.Equal(20, agreement.GetProperty("verdicts_with_the_same_reason").GetInt32());
            Assert.Equal(0, agreement.GetProperty("mismatches").GetArrayLength());
            Assert.True(agreement.GetProperty("flagged_through_guard").GetInt32() > 0); // the weak claims include contradictions
            Assert.Equal(agreement.GetProperty("flagged_through_guard").GetInt32(), agreement.GetProperty("flagged_through_shards").GetInt32());
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Theory]
    [InlineData("--agents", "1")]
    [InlineData("--notes-per-agent", "0")]
    [InlineData("--queries", "0")]
    [InlineData("--candidates", "0")]
    [InlineData("--candidates", "1001")]
    [InlineData("--shards", "0")]
    public async Task Bad_options_exit_with_2(string option, string value)
    {
        var (code, _, error) = await RunAsync("bench", "consensus", option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("memfab: ", error, StringComparison.Ordinal);
    }
}
