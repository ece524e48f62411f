using System.Text.Json;
using MemoryFabric.Cli.Tests.Support;

namespace MemoryFabric.Cli.Tests;

/// <summary><c>memfab search QUERY --all</c>: the tenant-wide search (<c>POST /v1/search</c>) from the CLI, in local mode.</summary>
public class TenantSearchCommandTests
{
    [Fact]
    public async Task Search_all_finds_every_agents_turns_and_names_the_agent()
    {
        using var data = new TempDirectory();
        var ingest = await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("generic.json"), "--agent", "tom"));
        Assert.True(ingest.Code == 0, ingest.ToString());

        var table = await Memfab.RunAsync(data.Local("search", "half marathon Porto", "--all", "--limit", "3"));
        Assert.True(table.Code == 0, table.ToString());
        Assert.Contains("agent", table.OutLines[0], StringComparison.Ordinal);
        Assert.Contains("half marathon", table.Out, StringComparison.Ordinal);
        Assert.All(table.OutLines.Skip(1), line => Assert.Contains(" tom ", line, StringComparison.Ordinal));

        var json = await Memfab.RunAsync(data.Local("search", "half marathon Porto", "--tenant-wide", "--agents", "tom", "--kinds", "turn", "--json"));
        Assert.True(json.Code == 0, json.ToString());
        using (var document = JsonDocument.Parse(json.Out))
        {
            var hit = document.RootElement.GetProperty("hits")[0];
            Assert.Equal("tom", hit.GetProperty("agent").GetString());
            Assert.Equal("turn", hit.GetProperty("item").GetProperty("kind").GetString());
        }

        var nobody = await Memfab.RunAsync(data.Local("search", "half marathon Porto", "--all", "--agents", "nobody"));
        Assert.Equal(0, nobody.Code);
        Assert.Contains("no hits", nobody.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--agents", "tom")]
    [InlineData("--group", "team")]
    public async Task Tenant_wide_filters_without_all_are_a_usage_error(string option, string value)
    {
        using var data = new TempDirectory();
        var result = await Memfab.RunAsync(data.Local("search", "anything", "--agent", "tom", option, value));
        Assert.Equal(2, result.Code);
        Assert.Contains("need --all", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_and_all_exclude_each_other_and_one_of_them_is_required()
    {
        using var data = new TempDirectory();
        var both = await Memfab.RunAsync(data.Local("search", "anything", "--agent", "tom", "--all"));
        Assert.Equal(2, both.Code);
        Assert.Contains("exclude each other", both.Error, StringComparison.Ordinal);
        var neither = await Memfab.RunAsync(data.Local("search", "anything"));
        Assert.Equal(2, neither.Code);
        Assert.Contains("--agent is required", neither.Error, StringComparison.Ordinal);
    }
}
