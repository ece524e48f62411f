using System.Text;
using System.Text.Json;
using MemoryFabric.Cli.Tests.Support;

namespace MemoryFabric.Cli.Tests;

public class ForgetCommandTests
{
    [Fact]
    public async Task Forget_a_turn_removes_it_from_search_and_from_every_file_and_an_unknown_id_fails()
    {
        using var data = new TempDirectory();
        Assert.Equal(0, (await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("generic.json"), "--agent", "tom", "--consolidate"))).Code);
        var before = await Memfab.RunAsync(data.Local("search", "half marathon Porto", "--agent", "tom", "--kinds", "turn"));
        Assert.Contains("half marathon", before.Out, StringComparison.Ordinal);

        var forget = await Memfab.RunAsync(data.Local("forget", "--turn", "s1:2", "--agent", "tom", "--json"));
        Assert.True(forget.Code == 0, forget.ToString());
        using (var document = JsonDocument.Parse(forget.Out))
        {
            Assert.Equal(["s1:2"], document.RootElement.GetProperty("forgottenTurnIds").EnumerateArray().Select(e => e.GetString()));
        }

        var after = await Memfab.RunAsync(data.Local("search", "half marathon knee", "--agent", "tom", "--json"));
        Assert.True(after.Code == 0, after.ToString());
        Assert.DoesNotContain("half marathon along the river", after.Out, StringComparison.Ordinal);
        var needle = Encoding.UTF8.GetBytes("half marathon along");
        Assert.DoesNotContain(Directory.EnumerateFiles(data.Path, "*", SearchOption.AllDirectories), f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0);

        var unknown = await Memfab.RunAsync(data.Local("forget", "--turn", "s1:2", "--agent", "tom"));
        Assert.Equal(1, unknown.Code);
        Assert.Contains("no turn 's1:2'", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await Memfab.RunAsync(data.Local("forget", "--agent", "tom"))).Code); // --turn is required
    }
}
