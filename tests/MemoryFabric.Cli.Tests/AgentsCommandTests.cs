using System.Text.Json;
using MemoryFabric.Cli.Tests.Support;

namespace MemoryFabric.Cli.Tests;

public class AgentsCommandTests
{
    [Fact]
    public async Task Agents_list_shows_a_table_pages_by_cursor_follows_all_and_prints_json()
    {
        using var data = new TempDirectory();
        var empty = await Memfab.RunAsync(data.Local("agents", "list"));
        Assert.True(empty.Code == 0, empty.ToString());
        Assert.Equal(string.Empty, empty.Out);
        Assert.Equal("memfab agents: no agents", Assert.Single(empty.ErrorLines));

        var ingest = await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("generic.json"), "--agent", "crm-2"));
        Assert.True(ingest.Code == 0, ingest.ToString());
        foreach (var agent in new[] { "ops", "crm-1", "crm-3" })
        {
            var add = await Memfab.RunAsync(data.Local("notes", "add", "--agent", agent, "--subject", "Tom", "--text", $"Tom works with {agent}."));
            Assert.True(add.Code == 0, add.ToString());
        }

        var table = await Memfab.RunAsync(data.Local("agents", "list"));
        Assert.True(table.Code == 0, table.ToString());
        Assert.Equal(5, table.OutLines.Length);
        Assert.Matches(@"^AGENT\s+TURNS\s+EPISODES\s+NOTES\s+QUARANTINED\s+SIZE\s+LAST WRITE$", table.OutLines[0]);
        Assert.Equal(["crm-1", "crm-2", "crm-3", "ops"], table.OutLines.Skip(1).Select(l => l.Split(' ')[0]));
        var turns = TurnsIn(Memfab.Fixture("generic.json"));
        Assert.Matches($@"^crm-2\s+{turns}\s+0\s+0\s+0\s+\d+(\.\d)? (B|KiB|MiB)\s+\d{{4}}-\d\d-\d\d \d\d:\d\d$", table.OutLines[2]);
        Assert.Matches(@"^ops\s+0\s+0\s+1\s+0\s+", table.OutLines[4]);
        Assert.Empty(table.Error);

        // One page of two, then the next from its cursor.
        var first = await Memfab.RunAsync(data.Local("agents", "list", "--limit", "2"));
        Assert.True(first.Code == 0, first.ToString());
        Assert.Equal(["crm-1", "crm-2"], first.OutLines.Skip(1).Select(l => l.Split(' ')[0]));
        var hint = Assert.Single(first.ErrorLines);
        Assert.StartsWith("memfab agents: more agents follow: --cursor ", hint, StringComparison.Ordinal);
        var cursor = hint["memfab agents: more agents follow: --cursor ".Length..].Split(' ')[0];
        var second = await Memfab.RunAsync(data.Local("agents", "list", "--limit", "2", "--cursor", cursor, "--json"));
        Assert.True(second.Code == 0, second.ToString());
        using (var document = JsonDocument.Parse(second.Out))
        {
            Assert.Equal(["crm-3", "ops"], document.RootElement.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("agent").GetString()));
            Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("nextCursor").ValueKind);
        }

        // --all follows every cursor; --prefix filters.
        var all = await Memfab.RunAsync(data.Local("agents", "list", "--all", "--limit", "1", "--prefix", "crm-", "--json"));
        Assert.True(all.Code == 0, all.ToString());
        using (var document = JsonDocument.Parse(all.Out))
        {
            var agents = document.RootElement.GetProperty("agents").EnumerateArray().ToList();
            Assert.Equal(["crm-1", "crm-2", "crm-3"], agents.Select(a => a.GetProperty("agent").GetString()));
            Assert.Equal(turns, agents[1].GetProperty("turns").GetInt32());
            Assert.Equal(1, agents[0].GetProperty("notes").GetInt32());
            Assert.True(agents[1].GetProperty("dataBytes").GetInt64() > 0);
            Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("nextCursor").ValueKind);
        }

        Assert.Empty(all.Error);
    }

    [Theory]
    [InlineData("'limit'", "--limit", "0")]
    [InlineData("'limit'", "--limit", "201")]
    [InlineData("'prefix'", "--prefix", "crm/1")]
    [InlineData("'cursor'", "--cursor", "not-a-cursor!")]
    public async Task A_bad_limit_prefix_or_cursor_is_one_line_and_exit_code_2(string parameter, params string[] args)
    {
        using var data = new TempDirectory();
        var result = await Memfab.RunAsync(data.Local(["agents", "list", .. args]));
        Assert.Equal(2, result.Code);
        Assert.Equal(string.Empty, result.Out);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("memfab: 400 ", line, StringComparison.Ordinal);
        Assert.Contains(parameter, line, StringComparison.Ordinal);
    }

    private static int TurnsIn(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.GetProperty("conversations").EnumerateArray()
            .Sum(c => c.GetProperty("sessions").EnumerateArray().Sum(s => s.GetProperty("turns").GetArrayLength()));
    }
}
