using System.Text.Json;
using MemoryFabric.Cli;
using MemoryFabric.Evaluation.Tests.Support;

namespace MemoryFabric.Evaluation.Tests.Cli;

public class EvalCommandTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("eval", "--dataset", "no-such-file.json")]
    [InlineData("eval", "--dataset", "{sample}", "--strategies", "bm25,full")]
    [InlineData("eval", "--dataset", "{sample}", "--budget", "0")]
    [InlineData("eval", "--dataset", "{sample}", "--budget", "many")]
    [InlineData("eval", "--dataset", "{sample}", "--categories", "1,2")]
    [InlineData("eval")]
    [InlineData("eval", "--dataset", "{sample}", "--bogus")]
    [InlineData("eval", "--dataset", "{sample}", "--embedder", "word2vec")]
    [InlineData("eval", "--dataset", "{sample}", "--embedder", "openai")]
    public async Task Bad_input_gives_one_line_on_stderr_and_exit_code_2(params string[] args)
    {
        var resolved = args.Select(a => a == "{sample}" ? RepositoryPaths.DemoConversation : a).ToArray();

        var (code, output, error) = await RunAsync(resolved);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("memfab: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_prints_the_table_and_writes_the_json()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-eval-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, error) = await RunAsync(
                "eval", "--dataset", RepositoryPaths.DemoConversation, "--budget", "300", "--strategies", "bm25-turns,recent,full", "--out", outPath, "--markdown");

            Assert.Equal(0, code);
            Assert.Contains("| bm25-turns | 6 |", output, StringComparison.Ordinal);
            Assert.Contains("| full (*) | 6 | 1.000 |", output, StringComparison.Ordinal);
            Assert.Contains("bm25-turns: conversation 1/1 (priya-tom)", error, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            Assert.Equal(300, json.RootElement.GetProperty("budget").GetInt32());
            Assert.Equal(["bm25-turns", "recent", "full"], json.RootElement.GetProperty("strategies").EnumerateObject().Select(p => p.Name));
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Fact]
    public async Task Eval_uses_the_minilm_encoder_when_asked()
    {
        var (code, output, error) = await RunAsync(
            "eval", "--dataset", RepositoryPaths.DemoConversation, "--budget", "300", "--strategies", "fabric,dense-turns", "--embedder", "minilm", "--markdown");

        Assert.Equal(0, code);
        Assert.Contains("embedder all-MiniLM-L6-v2-q4", error, StringComparison.Ordinal);
        Assert.Contains("| fabric | 6 |", output, StringComparison.Ordinal);
    }
}
