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
    [InlineData("eval", "--dataset", "{sample}", "--embedder", "minilm,word2vec")]
    [InlineData("eval", "--dataset", "{sample}", "--embedder", "minilm,MiniLM")]
    [InlineData("eval", "--dataset", "{sample}", "--embedder", ",")]
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
    public async Task On_a_terminal_eval_draws_a_bar_per_strategy_on_stderr_and_the_table_stays_plain()
    {
        var plain = await RunAsync("eval", "--dataset", RepositoryPaths.DemoConversation, "--budget", "300", "--strategies", "bm25-turns,recent", "--markdown");
        (int Code, string Out, string Error) live, quiet;
        using (ProgressDisplay.AssumeTerminal())
        {
            live = await RunAsync("eval", "--dataset", RepositoryPaths.DemoConversation, "--budget", "300", "--strategies", "bm25-turns,recent", "--markdown");
            quiet = await RunAsync("eval", "--dataset", RepositoryPaths.DemoConversation, "--budget", "300", "--strategies", "bm25-turns,recent", "--markdown", "--quiet");
        }

        Assert.Equal(0, live.Code);
        Assert.Contains("\u001b[", live.Error, StringComparison.Ordinal);
        Assert.Contains("recent", live.Error, StringComparison.Ordinal);
        Assert.Contains("bm25-turns: conversation 1/1 (priya-tom)", live.Error, StringComparison.Ordinal); // the runner's lines, above the bars
        Assert.DoesNotContain("\u001b", live.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", plain.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", quiet.Error, StringComparison.Ordinal);

        // The table is the same with and without the display (latencies aside).
        static string[] Rows(string table) => table.Split('\n').Where(l => l.StartsWith('|')).Select(l => string.Join('|', l.Split('|').Take(4))).ToArray();
        Assert.Equal(Rows(plain.Out), Rows(live.Out));
        Assert.Equal(Rows(plain.Out), Rows(quiet.Out));
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
    public async Task Details_write_one_line_per_question_and_strategy_with_what_the_context_missed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"memfab-eval-details-{Guid.NewGuid():N}.jsonl");
        try
        {
            var (code, _, error) = await RunAsync(
                "eval", "--dataset", RepositoryPaths.DemoConversation, "--budget", "60", "--strategies", "recent,full", "--details", path, "--quiet");

            Assert.Equal(0, code);
            Assert.DoesNotContain("memfab: ", error, StringComparison.Ordinal);
            var lines = (await File.ReadAllLinesAsync(path)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(12, lines.Count); // 6 questions, 2 strategies
            foreach (var strategy in new[] { "recent", "full" })
            {
                var mine = lines.Where(l => l.GetProperty("strategy").GetString() == strategy).ToList();
                Assert.Equal(6, mine.Select(l => l.GetProperty("question_id").GetString()).Distinct().Count());
            }

            foreach (var line in lines)
            {
                // What is missed is exactly the gold evidence no context item covers, and the recall agrees with it.
                var covered = line.GetProperty("context_items").EnumerateArray().SelectMany(i => i.GetProperty("turn_ids").EnumerateArray()).Select(t => t.GetString()).ToHashSet();
                var evidence = line.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()).ToList();
                var missed = line.GetProperty("missed_evidence").EnumerateArray().Select(e => e.GetString()).ToList();
                Assert.Equal(evidence.Where(e => !covered.Contains(e)), missed);
                if (evidence.Count > 0)
                {
                    Assert.Equal((double)(evidence.Count - missed.Count) / evidence.Count, line.GetProperty("evidence_recall").GetDouble(), 6);
                }

                Assert.False(string.IsNullOrWhiteSpace(line.GetProperty("question").GetString()));
            }

            // The whole history misses nothing; 60 tokens of the most recent turns miss some.
            Assert.All(lines.Where(l => l.GetProperty("strategy").GetString() == "full"), l => Assert.Empty(l.GetProperty("missed_evidence").EnumerateArray()));
            Assert.Contains(lines.Where(l => l.GetProperty("strategy").GetString() == "recent"), l => l.GetProperty("missed_evidence").GetArrayLength() > 0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Details_to_a_path_that_cannot_be_written_is_a_usage_error()
    {
        var (code, output, error) = await RunAsync(
            "eval", "--dataset", RepositoryPaths.DemoConversation, "--strategies", "recent", "--details", Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "d.jsonl"));

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("memfab: --details: cannot write ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_embedders_run_the_embedding_strategies_once_each_in_one_report()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-eval-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, error) = await RunAsync(
                "eval", "--dataset", RepositoryPaths.DemoConversation, "--budget", "300", "--strategies", "dense-turns,bm25-turns,fabric",
                "--embedder", "minilm,arctic-xs", "--markdown", "--out", outPath);

            Assert.True(code == 0, error);
            Assert.Contains("embedder all-MiniLM-L6-v2-q4, snowflake-arctic-embed-xs", error, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            Assert.Equal(
                ["dense-turns@minilm", "dense-turns@arctic-xs", "bm25-turns", "fabric@minilm", "fabric@arctic-xs"],
                json.RootElement.GetProperty("strategies").EnumerateObject().Select(p => p.Name));
            Assert.Contains("| fabric@arctic-xs | 6 |", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Fact]
    public async Task Eval_defaults_to_the_arctic_xs_encoder()
    {
        var (code, output, error) = await RunAsync(
            "eval", "--dataset", RepositoryPaths.DemoConversation, "--budget", "300", "--strategies", "fabric", "--markdown");

        Assert.True(code == 0, error);
        Assert.Contains("embedder snowflake-arctic-embed-xs", error, StringComparison.Ordinal);
        Assert.Contains("| fabric | 6 |", output, StringComparison.Ordinal);
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
