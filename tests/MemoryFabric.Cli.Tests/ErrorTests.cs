using MemoryFabric.Cli.Tests.Support;

namespace MemoryFabric.Cli.Tests;

public class ErrorTests
{
    [Fact]
    public async Task An_unknown_agent_is_one_line_and_exit_code_2()
    {
        using var data = new TempDirectory();

        var result = await Memfab.RunAsync(data.Local("search", "anything", "--agent", "nobody"));

        Assert.Equal(2, result.Code);
        Assert.Equal(string.Empty, result.Out);
        var line = Assert.Single(result.ErrorLines);
        Assert.Equal("memfab: 404 Not found: No agent named 'nobody'.", line);
    }

    [Fact]
    public async Task An_unknown_note_and_an_invalid_agent_name_are_bad_input()
    {
        using var data = new TempDirectory();
        Assert.Equal(0, (await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("generic.json"), "--agent", "tom"))).Code);

        var note = await Memfab.RunAsync(data.Local("notes", "show", "note_missing", "--agent", "tom"));
        Assert.Equal(2, note.Code);
        Assert.StartsWith("memfab: 404 Not found: ", Assert.Single(note.ErrorLines), StringComparison.Ordinal);

        var name = await Memfab.RunAsync(data.Local("context", "x", "--agent", "bad name!"));
        Assert.Equal(2, name.Code);
        Assert.StartsWith("memfab: 400 ", Assert.Single(name.ErrorLines), StringComparison.Ordinal);

        var import = await Memfab.RunAsync(data.Local("import", Memfab.Fixture("generic.json"), "--agent", "tom"));
        Assert.Equal(2, import.Code);
        Assert.StartsWith("memfab: 400 ", Assert.Single(import.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_is_not_running_is_exit_code_1_with_a_hint()
    {
        var url = $"http://127.0.0.1:{Memfab.FreePort()}";

        var result = await Memfab.RunAsync("search", "anything", "--agent", "a", "--url", url, "--key", "mfk_test");

        Assert.Equal(1, result.Code);
        Assert.Equal(string.Empty, result.Out);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"memfab: cannot reach {url}/: ", line, StringComparison.Ordinal);
        Assert.Contains($"is `memfab serve` running at {url}/? or use --local", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("search", "q", "--agent", "a", "--url", "http://127.0.0.1:1")]
    [InlineData("search", "q", "--agent", "a", "--url", "ftp://example.com", "--key", "k")]
    [InlineData("search", "q", "--agent", "a", "--local", "--url", "http://127.0.0.1:1")]
    [InlineData("search", "q", "--agent", "a", "--key", "k", "--data", "somewhere")]
    [InlineData("search", "q")]
    [InlineData("search", "q", "--agent", "a", "--local", "--embedder", "word2vec")]
    [InlineData("search", "q", "--agent", "a", "--local", "--kinds", "memories")]
    [InlineData("search", "q", "--agent", "a", "--local", "--limit", "0")]
    [InlineData("context", "q", "--agent", "a", "--local", "--budget", "-5")]
    [InlineData("notes", "add", "--agent", "a", "--local", "--text", "t")]
    [InlineData("notes", "add", "--agent", "a", "--local", "--text", "t", "--subject", "s", "--kind", "opinion")]
    [InlineData("import", "no-such-file.ndjson", "--agent", "a", "--local")]
    [InlineData("serve", "--urls", "nonsense")]
    [InlineData("serve", "--in-memory", "--data", "x")]
    public async Task Bad_command_lines_give_one_line_and_exit_code_2(params string[] args)
    {
        var result = await Memfab.RunAsync(args);

        Assert.True(result.Code == 2, result.ToString());
        Assert.Equal(string.Empty, result.Out);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("memfab: ", line, StringComparison.Ordinal);
    }
}
