using MemoryFabric.Cli.Tests.Support;

namespace MemoryFabric.Cli.Tests;

/// <summary>The live progress of the long commands: on standard error only, and only on a terminal without
/// <c>--quiet</c> (a test's writers are not a terminal unless it says so with <see cref="ProgressDisplay.AssumeTerminal"/>).</summary>
public class ProgressTests
{
    private const string Escape = "\u001b[";

    [Fact]
    public async Task Ingest_draws_its_bar_on_stderr_and_keeps_stdout_plain()
    {
        using var data = new TempDirectory();
        CliResult result;
        using (ProgressDisplay.AssumeTerminal())
        {
            result = await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("locomo.json"), "--agent", "lo", "--agent-per-conversation", "--batch-size", "1", "--consolidate"));
        }

        Assert.True(result.Code == 0, result.ToString());
        Assert.Contains(Escape, result.Error, StringComparison.Ordinal);
        Assert.Contains("lo-conv-a: turns", result.Error, StringComparison.Ordinal);
        Assert.Contains("lo-conv-b: consolidating", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", result.Out, StringComparison.Ordinal);
        Assert.Collection(
            result.OutLines,
            l => Assert.StartsWith("lo-conv-a: 5 turns stored, 0 duplicates in ", l, StringComparison.Ordinal),
            l => Assert.StartsWith("lo-conv-b: 2 turns stored, 0 duplicates in ", l, StringComparison.Ordinal),
            l => Assert.StartsWith("total (2 agents): 7 turns stored, 0 duplicates in ", l, StringComparison.Ordinal),
            l => Assert.StartsWith("lo-conv-a: consolidated: ", l, StringComparison.Ordinal),
            l => Assert.StartsWith("lo-conv-b: consolidated: ", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ingest_shows_no_progress_when_stderr_is_not_a_terminal()
    {
        using var data = new TempDirectory();

        var result = await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("locomo.json"), "--agent", "jon", "--conversation", "conv-a", "--batch-size", "1"));

        Assert.True(result.Code == 0, result.ToString());
        Assert.DoesNotContain("\u001b", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("jon: turns", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("jon: 5 turns stored, 0 duplicates in ", Assert.Single(result.OutLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quiet_turns_the_progress_off_on_a_terminal()
    {
        using var data = new TempDirectory();
        CliResult result;
        using (ProgressDisplay.AssumeTerminal())
        {
            result = await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("locomo.json"), "--agent", "jon", "--conversation", "conv-a", "--quiet"));
        }

        Assert.True(result.Code == 0, result.ToString());
        Assert.DoesNotContain("\u001b", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("jon: turns", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("jon: 5 turns stored", Assert.Single(result.OutLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_and_import_show_progress_on_stderr_and_the_records_stay_clean_on_stdout()
    {
        using var data = new TempDirectory();
        var ingest = await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("locomo.json"), "--agent", "jon", "--conversation", "conv-a"));
        Assert.True(ingest.Code == 0, ingest.ToString());

        CliResult export, import, quietExport;
        using (ProgressDisplay.AssumeTerminal())
        {
            export = await Memfab.RunAsync(data.Local("export", "--agent", "jon"));
            quietExport = await Memfab.RunAsync(data.Local("export", "--agent", "jon", "-q"));
            var file = data.File("jon.jsonl");
            await File.WriteAllTextAsync(file, export.Out);
            import = await Memfab.RunAsync(data.Local("import", file, "--agent", "copy"));
        }

        Assert.True(export.Code == 0, export.ToString());
        Assert.Contains(Escape, export.Error, StringComparison.Ordinal);
        Assert.Contains("export jon", export.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", export.Out, StringComparison.Ordinal);
        Assert.NotEmpty(export.OutLines);
        Assert.All(export.OutLines, l => Assert.StartsWith("{", l, StringComparison.Ordinal));
        Assert.Equal(export.Out, quietExport.Out);
        Assert.DoesNotContain("\u001b", quietExport.Error, StringComparison.Ordinal);

        Assert.True(import.Code == 0, import.ToString());
        Assert.Contains(Escape, import.Error, StringComparison.Ordinal);
        Assert.Contains("import copy", import.Error, StringComparison.Ordinal);
        Assert.StartsWith("copy: imported 5 turns, ", Assert.Single(import.OutLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lines_logged_while_the_display_is_live_reach_stderr_whole()
    {
        using var error = new StringWriter();
        using (ProgressDisplay.AssumeTerminal())
        {
            Assert.True(ProgressDisplay.IsEnabled(error, quiet: false));
            Assert.False(ProgressDisplay.IsEnabled(error, quiet: true));
            await ProgressDisplay.RunAsync(error, enabled: true, ProgressStyle.Spinners, async display =>
            {
                Assert.True(display.IsLive);
                display.Start("working [on it]");
                await display.Log.WriteAsync("first ");
                await display.Log.WriteLineAsync("line");
                return 0;
            });
        }

        Assert.False(ProgressDisplay.IsEnabled(error, quiet: false));
        Assert.Contains("first line", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("working [on it]", error.ToString(), StringComparison.Ordinal);
    }
}
