using System.Text.Json;
using MemoryFabric.Cli;
using MemoryFabric.Evaluation.Tests.Support;

namespace MemoryFabric.Evaluation.Tests.Cli;

/// <summary><c>memfab eval poison</c> end to end on the demo sample: the JSON has exactly the keys of issue 5 and the
/// table is printed. No figure is asserted.</summary>
public class EvalPoisonCommandTests
{
    private static readonly string[] MeasureKeys = ["asr_r", "asr_t", "clean_evidence_recall", "clean_answer_coverage", "false_quarantine_rate"];

    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static void AssertMeasures(JsonElement element)
    {
        Assert.Equal(MeasureKeys, element.EnumerateObject().Select(p => p.Name));
        foreach (var key in MeasureKeys)
        {
            var value = element.GetProperty(key);
            if (value.ValueKind != JsonValueKind.Null)
            {
                Assert.InRange(value.GetDouble(), 0.0, 1.0);
            }
        }
    }

    [Fact]
    public async Task Eval_poison_writes_the_json_of_the_issue_and_prints_the_targets()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-eval-poison-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, error) = await RunAsync(
                "eval", "poison", "--dataset", RepositoryPaths.DemoConversation, "--budget", "300", "--seed", "4", "--target-share", "0.5", "--out", outPath);

            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            var root = json.RootElement;
            Assert.Equal(300, root.GetProperty("budget").GetInt32());
            AssertMeasures(root.GetProperty("guard_off"));
            AssertMeasures(root.GetProperty("guard_on"));
            var perKind = root.GetProperty("per_kind");
            Assert.Equal(["false-fact", "instruction", "trigger", "repeated"], perKind.EnumerateObject().Select(p => p.Name));
            foreach (var kind in perKind.EnumerateObject())
            {
                Assert.Equal(["guard_off", "guard_on"], kind.Value.EnumerateObject().Select(p => p.Name));
                AssertMeasures(kind.Value.GetProperty("guard_off"));
                AssertMeasures(kind.Value.GetProperty("guard_on"));
            }

            Assert.Equal(0.0, root.GetProperty("guard_off").GetProperty("false_quarantine_rate").GetDouble());
            Assert.Equal(4, root.GetProperty("seed").GetInt32());
            Assert.Equal("hashing", root.GetProperty("embedder").GetString());
            var counts = root.GetProperty("counts").GetProperty("guard_on");
            Assert.True(counts.GetProperty("targeted_questions").GetInt32() >= 1);
            Assert.Equal(counts.GetProperty("targeted_questions").GetInt32() * 6, counts.GetProperty("poison_records").GetInt32());

            Assert.Contains("| setting | ASR-r | ASR-t |", output, StringComparison.Ordinal);
            Assert.Contains("| ASR-r reduced ≥ 90 % (overall) |", output, StringComparison.Ordinal);
            Assert.Contains("| ASR-r reduced ≥ 90 % (repeated) |", output, StringComparison.Ordinal);
            Assert.Contains("| clean evidence recall drop ≤ 0.02 |", output, StringComparison.Ordinal);
            Assert.Contains("| clean notes quarantined ≤ 1 % |", output, StringComparison.Ordinal);
            Assert.Contains("memfab eval poison: conversation 1/1 (priya-tom), guard on", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_json()
    {
        var first = Path.Combine(Path.GetTempPath(), $"memfab-eval-poison-{Guid.NewGuid():N}.json");
        var second = Path.Combine(Path.GetTempPath(), $"memfab-eval-poison-{Guid.NewGuid():N}.json");
        try
        {
            Assert.Equal(0, (await RunAsync("eval", "poison", "--dataset", RepositoryPaths.DemoConversation, "--seed", "9", "--out", first)).Code);
            Assert.Equal(0, (await RunAsync("eval", "poison", "--dataset", RepositoryPaths.DemoConversation, "--seed", "9", "--out", second)).Code);
            Assert.Equal(await File.ReadAllTextAsync(first), await File.ReadAllTextAsync(second));
        }
        finally
        {
            File.Delete(first);
            File.Delete(second);
        }
    }

    [Theory]
    [InlineData("eval", "poison")]
    [InlineData("eval", "poison", "--dataset", "no-such-file.json")]
    [InlineData("eval", "poison", "--dataset", "{sample}", "--budget", "0")]
    [InlineData("eval", "poison", "--dataset", "{sample}", "--seed", "x")]
    [InlineData("eval", "poison", "--dataset", "{sample}", "--target-share", "0")]
    [InlineData("eval", "poison", "--dataset", "{sample}", "--embedder", "word2vec")]
    public async Task Bad_input_gives_one_line_on_stderr_and_exit_code_2(params string[] args)
    {
        var resolved = args.Select(a => a == "{sample}" ? RepositoryPaths.DemoConversation : a).ToArray();

        var (code, output, error) = await RunAsync(resolved);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("memfab: ", line, StringComparison.Ordinal);
    }
}
