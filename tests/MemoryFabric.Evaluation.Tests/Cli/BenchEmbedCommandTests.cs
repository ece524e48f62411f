using System.Text.Json;
using MemoryFabric.Cli;

namespace MemoryFabric.Evaluation.Tests.Cli;

/// <summary><c>memfab bench embed</c> runs end to end (without the ONNX Runtime reference, which needs Node.js and
/// minutes) and writes the JSON shape the issue asks for.</summary>
public class BenchEmbedCommandTests
{
    [Fact]
    public async Task Bench_embed_writes_the_cases_with_lengths_near_their_targets()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-bench-embed-{Guid.NewGuid():N}.json");
        using var output = new StringWriter();
        using var error = new StringWriter();
        try
        {
            var code = await CliApp.InvokeAsync(["bench", "embed", "--no-reference", "--seconds", "0.01", "--texts", "4", "--batch", "2", "--out", outPath], output, error);

            Assert.True(code == 0, error.ToString());
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            var cases = json.RootElement.GetProperty("cases");
            foreach (var (name, target) in new[] { ("short", 12), ("medium", 48), ("long", 128) })
            {
                var result = cases.GetProperty(name);
                Assert.InRange(result.GetProperty("tokens").GetDouble(), target - 4, target);
                Assert.True(result.GetProperty("memoryfabric_single").GetDouble() > 0);
                Assert.True(result.GetProperty("memoryfabric_all_cores").GetDouble() > 0);
                Assert.Equal(JsonValueKind.Null, result.GetProperty("onnxruntime_single").ValueKind);
            }

            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("ratio_medium_batch32_single").ValueKind);
            Assert.True(json.RootElement.GetProperty("model_load_seconds").GetDouble() >= 0); // 0 when another test of this process loaded the model
            Assert.Contains("| medium |", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Fact]
    public async Task Bench_embed_measures_arctic_xs_when_asked()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-bench-embed-{Guid.NewGuid():N}.json");
        using var output = new StringWriter();
        using var error = new StringWriter();
        try
        {
            var code = await CliApp.InvokeAsync(["bench", "embed", "--model", "arctic-xs", "--no-reference", "--seconds", "0.01", "--texts", "4", "--batch", "2", "--out", outPath], output, error);

            Assert.True(code == 0, error.ToString());
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            Assert.Equal("snowflake-arctic-embed-xs", json.RootElement.GetProperty("model").GetString());
            Assert.True(json.RootElement.GetProperty("cases").GetProperty("medium").GetProperty("memoryfabric_single").GetDouble() > 0);
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("cosine_vs_onnxruntime_mean").ValueKind);
            Assert.StartsWith("snowflake-arctic-embed-xs: ", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Theory]
    [InlineData("--batch", "0")]
    [InlineData("--seconds", "-1")]
    [InlineData("--model", "bert-large")]
    public async Task Bad_options_exit_with_2(string option, string value)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.InvokeAsync(["bench", "embed", "--no-reference", option, value], output, error);
        Assert.Equal(2, code);
        Assert.StartsWith("memfab: ", error.ToString(), StringComparison.Ordinal);
    }
}
