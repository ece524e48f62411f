using System.Text.Json;
using MemoryFabric.Cli;

namespace MemoryFabric.Evaluation.Tests.Cli;

/// <summary><c>memfab bench large-agent</c> end to end on two small agents, and its argument checks.</summary>
public class BenchLargeAgentCommandTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Bench_large_agent_offloads_one_agent_and_finds_what_exact_search_finds()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-bench-large-agent-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, error) = await RunAsync(
                "bench", "large-agent", "--turns", "3000", "--threshold", "1000", "--dim", "64", "--queries", "30", "--quiet", "--out", outPath);

            Assert.True(code == 0, error + output);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            var kept = json.RootElement.GetProperty("kept");
            var offloaded = json.RootElement.GetProperty("offloaded");
            Assert.Equal(3000, kept.GetProperty("local_turn_vectors").GetInt32());
            Assert.Equal(0, kept.GetProperty("offloaded_turn_vectors").GetInt32());
            Assert.Equal(0, offloaded.GetProperty("local_turn_vectors").GetInt32());
            Assert.Equal(3000, offloaded.GetProperty("offloaded_turn_vectors").GetInt32());
            Assert.Equal(0, kept.GetProperty("shard_heap_bytes").GetInt64()); // its searches never touched the shards
            Assert.True(offloaded.GetProperty("shard_heap_bytes").GetInt64() > 0, output);
            Assert.True(kept.GetProperty("dense_recall_at10").GetDouble() >= 0.9, output); // exact search in the activation
            Assert.True(offloaded.GetProperty("dense_recall_at10").GetDouble() >= 0.9, output);
            Assert.True(json.RootElement.GetProperty("top10_agreement").GetDouble() >= 0.9, output);
            Assert.Contains("top-10 hits in common between the two agents", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Theory]
    [InlineData("--turns", "5")]
    [InlineData("--threshold", "0")]
    [InlineData("--threshold", "200000")]
    [InlineData("--shards", "0")]
    public async Task Bad_arguments_exit_2_and_name_the_option(string option, string value)
    {
        var (code, _, error) = await RunAsync("bench", "large-agent", option, value, "--quiet");

        Assert.Equal(2, code);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }
}
