using System.Text.Json;
using MemoryFabric.Cli;

namespace MemoryFabric.Evaluation.Tests.Cli;

/// <summary><c>memfab bench index</c> end to end on a small clustered set (our engine and exact search only: the
/// hnswlib and FAISS references need Debian's Python modules and minutes), and its argument checks.</summary>
public class BenchIndexCommandTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Bench_index_writes_the_engines_in_the_issue_shape()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-bench-index-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, error) = await RunAsync(
                "bench", "index", "--n", "2000", "--dim", "32", "--queries", "50", "--engines", "memoryfabric,exact", "--out", outPath);

            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            var root = json.RootElement;
            Assert.Equal(2000, root.GetProperty("n").GetInt32());
            Assert.Equal(32, root.GetProperty("dim").GetInt32());
            Assert.Equal("clustered", root.GetProperty("dataset").GetString());
            var ours = root.GetProperty("engines").GetProperty("memoryfabric");
            Assert.True(ours.GetProperty("recall_at_10").GetDouble() >= 0.95);
            Assert.True(ours.GetProperty("qps").GetDouble() > 0);
            Assert.True(ours.GetProperty("build_vectors_per_second").GetDouble() > 0);
            Assert.True(ours.GetProperty("bytes_per_vector").GetDouble() > 0);

            // Measured in a worker process of its own, as resident-set growth split into anonymous and file-backed pages.
            var grown = ours.GetProperty("rss_growth_after_build");
            Assert.Equal(grown.GetProperty("total_bytes").GetDouble() / 2000, ours.GetProperty("bytes_per_vector").GetDouble(), 3);
            Assert.Equal(
                ours.GetProperty("bytes_per_vector").GetDouble(),
                ours.GetProperty("rss_anon_bytes_per_vector").GetDouble() + ours.GetProperty("rss_file_bytes_per_vector").GetDouble(),
                3);
            Assert.Equal(JsonValueKind.Object, ours.GetProperty("rss_growth_after_queries").ValueKind);
            Assert.InRange(ours.GetProperty("bytes_per_vector_check").GetDouble(), 32, 5000);
            Assert.Contains(root.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("memfab bench index-worker", StringComparison.Ordinal));
            Assert.True(root.GetProperty("engines").GetProperty("exact").GetProperty("qps").GetDouble() > 0);
            Assert.Contains("memoryfabric", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Fact]
    public async Task Bench_shards_ingests_through_shard_grains_and_reports_recall_latency_and_memory()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-bench-shards-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, error) = await RunAsync(
                "bench", "shards", "--n", "3000", "--dim", "32", "--queries", "40", "--shards", "3", "--batch", "100", "--engines", "memoryfabric-shards,memoryfabric", "--out", outPath);

            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            var sharded = json.RootElement.GetProperty("engines").GetProperty("memoryfabric-shards");
            Assert.True(sharded.GetProperty("recall_at_10").GetDouble() >= 0.95, output);
            Assert.True(sharded.GetProperty("build_vectors_per_second").GetDouble() > 0);
            Assert.True(sharded.GetProperty("latency_p99_ms").GetDouble() >= sharded.GetProperty("latency_p50_ms").GetDouble());
            Assert.True(sharded.GetProperty("bytes_per_vector").GetDouble() > 0);
            var details = sharded.GetProperty("details");
            Assert.Equal("Quantized", details.GetProperty("vector_storage").GetString());

            // Every vector was acknowledged by exactly one of the 3 shard grains, all of them used.
            var perShard = details.GetProperty("items_per_shard").GetString()!.Split(',').Select(int.Parse).ToList();
            Assert.Equal(3, perShard.Count);
            Assert.Equal(3000, perShard.Sum());
            Assert.All(perShard, c => Assert.True(c > 500));
            Assert.True(details.GetProperty("database_bytes").GetDouble() > 3000 * 32 * sizeof(float), "the journal holds every float32 vector");
            Assert.True(json.RootElement.GetProperty("engines").TryGetProperty("memoryfabric", out _));
            Assert.Contains("memoryfabric-shards", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Fact]
    public async Task A_missing_python_is_named_in_the_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"memfab-no-python-{Guid.NewGuid():N}", "python3");

        var (code, output, _) = await RunAsync("bench", "index", "--n", "200", "--dim", "8", "--queries", "5", "--engines", "hnswlib", "--python", missing);

        Assert.Equal(1, code);
        Assert.Contains($"hnswlib             did not run: --python {missing}: no such file", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--dataset", "sift")]
    [InlineData("--n", "0")]
    [InlineData("--engines", "annoy")]
    [InlineData("--storage", "disk")]
    [InlineData("--shards", "0")]
    [InlineData("--batch", "0")]
    public async Task Bad_options_exit_with_2(string option, string value)
    {
        var (code, _, error) = await RunAsync("bench", "index", option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("memfab: ", error, StringComparison.Ordinal);
    }
}
