using System.Text.Json;
using MemoryFabric.Cli;

namespace MemoryFabric.Evaluation.Tests.Cli;

/// <summary><c>memfab bench split</c> end to end on a small shard, and its argument checks.</summary>
public class BenchSplitCommandTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Bench_split_splits_under_search_and_writes_and_keeps_every_item()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-bench-split-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, error) = await RunAsync(
                "bench", "split", "--n", "3000", "--dim", "32", "--queries", "40", "--writes", "200", "--write-batch", "10", "--copy-batch", "100", "--quiet", "--out", outPath);

            Assert.True(code == 0, error + output);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            var root = json.RootElement;
            Assert.True(root.GetProperty("every_item_kept").GetBoolean());
            Assert.Equal(3200, root.GetProperty("items_expected").GetInt32());
            var perShard = root.GetProperty("items_per_shard_after").EnumerateArray().Select(e => e.GetInt32()).ToList();
            Assert.Equal(2, perShard.Count);
            Assert.Equal(3200, perShard.Sum());
            Assert.All(perShard, c => Assert.InRange(c, 1200, 2000)); // about half each
            Assert.Equal(20, root.GetProperty("writes_during_split").GetInt32());
            Assert.Equal(1, root.GetProperty("before").GetProperty("shards").GetInt32());
            Assert.Equal(2, root.GetProperty("after").GetProperty("shards").GetInt32());
            Assert.True(root.GetProperty("before").GetProperty("recall").GetDouble() >= 0.9, output);
            Assert.True(root.GetProperty("after").GetProperty("recall").GetDouble() >= 0.9, output);
            Assert.Equal(40, root.GetProperty("after").GetProperty("queries").GetInt32());
            Assert.True(root.GetProperty("split_seconds").GetDouble() > 0);
            Assert.Contains("every key once, in its shard: yes", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Theory]
    [InlineData("--n", "5")]
    [InlineData("--copy-batch", "0")]
    [InlineData("--storage", "tape")]
    public async Task Bad_arguments_exit_2_and_name_the_option(string option, string value)
    {
        var (code, _, error) = await RunAsync("bench", "split", option, value, "--quiet");

        Assert.Equal(2, code);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }
}
