using System.Text.Json;
using MemoryFabric.Cli;

namespace MemoryFabric.Evaluation.Tests.Cli;

/// <summary><c>memfab bench behaviour</c> end to end on a small run (the real server in-process on loopback, the hashing
/// embedder, 20 facts per mode, 60 turns consolidated): the JSON shape, that the counts agree, and the behaviours the
/// probe checks. No timing is asserted.</summary>
public class BenchBehaviourCommandTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Bench_behaviour_runs_every_check_and_writes_consistent_figures()
    {
        var outPath = Path.Combine(Path.GetTempPath(), $"memfab-bench-behaviour-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, error) = await RunAsync("bench", "behaviour", "--facts", "20", "--consolidation-turns", "60", "--embedder", "hashing", "--out", outPath);

            Assert.True(code == 0, error);
            Assert.Contains("| read-after-write, turns", output, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath));
            var root = json.RootElement;
            Assert.Equal("hashing", root.GetProperty("embedder").GetString());

            var modes = root.GetProperty("read_after_write").EnumerateArray().ToList();
            Assert.Equal(["turns", "notes", "context"], modes.Select(m => m.GetProperty("mode").GetString()));
            // Each fact is found the moment its write returns, as a turn, as an API note and in a small context.
            foreach (var mode in modes)
            {
                Assert.Equal(20, mode.GetProperty("total").GetInt32());
                Assert.True(mode.GetProperty("found").GetInt32() == 20, mode.ToString());
                Assert.Equal(0, mode.GetProperty("misses").GetArrayLength());
            }

            // Five paraphrases are one note; five identical turns are packed once.
            var duplicates = root.GetProperty("duplicates");
            Assert.Equal(5, duplicates.GetProperty("paraphrase_operations").GetArrayLength());
            Assert.Equal(1, duplicates.GetProperty("paraphrase_active_notes").GetInt32());
            Assert.Equal(1, duplicates.GetProperty("identical_turn_copies_in_context").GetInt32());

            // Every old-city turn or note returned says it is stale.
            var stale = root.GetProperty("stale_fact");
            Assert.Equal(3, stale.GetProperty("queries").GetArrayLength());
            Assert.Equal(stale.GetProperty("stale_hits").GetInt32(), stale.GetProperty("stale_hits_marked").GetInt32());

            var consolidation = root.GetProperty("consolidation");
            Assert.Equal(60, consolidation.GetProperty("turns").GetInt32());
            Assert.Equal(200, consolidation.GetProperty("idle_searches").GetInt32());
            Assert.True(consolidation.GetProperty("consolidation_seconds").GetDouble() > 0);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Theory]
    [InlineData("--facts", "0")]
    [InlineData("--facts", "100000")]
    [InlineData("--embedder", "word2vec")]
    [InlineData("--key", "mfk_x")]
    [InlineData("--url", "not a url")]
    [InlineData("--server-setting", "NoEquals")]
    public async Task Bad_options_exit_with_2(string option, string value)
    {
        var (code, _, error) = await RunAsync("bench", "behaviour", option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("memfab: ", error, StringComparison.Ordinal);
    }
}
