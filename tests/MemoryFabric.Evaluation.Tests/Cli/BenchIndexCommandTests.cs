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
            Assert.InRange(ours.GetProperty("bytes_per_vector").GetDouble(), 32, 5000);
            Assert.True(root.GetProperty("engines").GetProperty("exact").GetProperty("qps").GetDouble() > 0);
            Assert.Contains("memoryfabric", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Theory]
    [InlineData("--dataset", "sift")]
    [InlineData("--n", "0")]
    [InlineData("--engines", "annoy")]
    public async Task Bad_options_exit_with_2(string option, string value)
    {
        var (code, _, error) = await RunAsync("bench", "index", option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("memfab: ", error, StringComparison.Ordinal);
    }
}
