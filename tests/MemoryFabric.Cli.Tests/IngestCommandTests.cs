using MemoryFabric.Cli.Tests.Support;

namespace MemoryFabric.Cli.Tests;

public class IngestCommandTests
{
    [Fact]
    public async Task A_locomo_file_with_several_conversations_needs_a_choice()
    {
        using var data = new TempDirectory();

        var result = await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("locomo.json"), "--agent", "x"));

        Assert.Equal(2, result.Code);
        Assert.Equal(string.Empty, result.Out);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("memfab: ", line, StringComparison.Ordinal);
        Assert.Contains("2 conversations (conv-a, conv-b)", line, StringComparison.Ordinal);
        Assert.Contains("--conversation", line, StringComparison.Ordinal);
        Assert.Contains("--agent-per-conversation", line, StringComparison.Ordinal);
        Assert.False(File.Exists(data.File("local.key")), "bad input is found before the server starts");
    }

    [Fact]
    public async Task Conversation_picks_one_and_agent_per_conversation_ingests_each()
    {
        using var data = new TempDirectory();

        var one = await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("locomo.json"), "--agent", "jon", "--conversation", "conv-b", "--format", "locomo", "--batch-size", "1"));
        Assert.True(one.Code == 0, one.ToString());
        Assert.Contains("jon: 2 turns stored, 0 duplicates in ", one.Out, StringComparison.Ordinal);

        var each = await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("locomo.json"), "--agent", "lo", "--agent-per-conversation", "--consolidate"));
        Assert.True(each.Code == 0, each.ToString());
        Assert.Contains("lo-conv-a: 5 turns stored, 0 duplicates in ", each.Out, StringComparison.Ordinal);
        Assert.Contains("lo-conv-b: 2 turns stored, 0 duplicates in ", each.Out, StringComparison.Ordinal);
        Assert.Contains("total (2 agents): 7 turns stored, 0 duplicates in ", each.Out, StringComparison.Ordinal);
        Assert.Contains("lo-conv-a: consolidated: ", each.Out, StringComparison.Ordinal);

        var search = await Memfab.RunAsync(data.Local("search", "support group", "--agent", "lo-conv-a", "--kinds", "turns"));
        Assert.True(search.Code == 0, search.ToString());
        Assert.Contains("support group", search.Out, StringComparison.Ordinal);
        Assert.Contains("2023-05-08 13:5", search.Out, StringComparison.Ordinal);

        var image = await Memfab.RunAsync(data.Local("search", "charity race", "--agent", "lo-conv-a", "--kinds", "turn", "--json"));
        Assert.Contains("[image: a photo of runners at a finish line]", image.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("not-json")]
    [InlineData("wrong-shape")]
    [InlineData("wrong-format")]
    [InlineData("unknown-conversation")]
    [InlineData("batch-size")]
    public async Task Bad_files_and_options_give_one_line_and_exit_code_2(string scenario)
    {
        using var data = new TempDirectory();
        var file = Memfab.Fixture("generic.json");
        string[] extra = [];
        switch (scenario)
        {
            case "missing":
                file = data.File("no-such-file.json");
                break;
            case "not-json":
                file = data.File("bad.json");
                await File.WriteAllTextAsync(file, "{ this is not json");
                break;
            case "wrong-shape":
                file = data.File("shape.json");
                await File.WriteAllTextAsync(file, "{\"hello\": 1}");
                break;
            case "wrong-format":
                extra = ["--format", "locomo"];
                break;
            case "unknown-conversation":
                extra = ["--conversation", "nope"];
                break;
            case "batch-size":
                extra = ["--batch-size", "0"];
                break;
        }

        var result = await Memfab.RunAsync(data.Local(new[] { "ingest", file, "--agent", "x" }.Concat(extra).ToArray()));

        Assert.Equal(2, result.Code);
        Assert.Equal(string.Empty, result.Out);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("memfab: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }
}
