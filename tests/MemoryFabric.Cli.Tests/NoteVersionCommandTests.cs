using System.Text;
using System.Text.Json;
using MemoryFabric.Cli.Tests.Support;

namespace MemoryFabric.Cli.Tests;

/// <summary><c>memfab notes update|delete --if-version N</c> and <c>notes delete --purge --forget-sources</c>.</summary>
public class NoteVersionCommandTests
{
    [Fact]
    public async Task Update_and_delete_check_the_version_and_purge_forgets_the_sources()
    {
        using var data = new TempDirectory();
        Assert.Equal(0, (await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("generic.json"), "--agent", "tom", "--consolidate"))).Code);
        var list = await Memfab.RunAsync(data.Local("notes", "list", "--agent", "tom", "--json"));
        Assert.True(list.Code == 0, list.ToString());
        string noteId;
        int version;
        using (var document = JsonDocument.Parse(list.Out))
        {
            var note = document.RootElement.GetProperty("notes").EnumerateArray()
                .First(n => n.GetProperty("provenance").GetProperty("turnIds").EnumerateArray().Any(t => t.GetString() == "s1:2"));
            noteId = note.GetProperty("id").GetString()!;
            version = note.GetProperty("version").GetInt32();
        }

        var notPurged = await Memfab.RunAsync(data.Local("notes", "delete", noteId, "--forget-sources", "--agent", "tom"));
        Assert.Equal(2, notPurged.Code);
        Assert.Contains("--purge", notPurged.Error, StringComparison.Ordinal);

        var stale = await Memfab.RunAsync(data.Local("notes", "update", noteId, "--text", "Tom ran a half marathon in Porto.", "--if-version", (version + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--agent", "tom"));
        Assert.Equal(2, stale.Code);
        Assert.Contains("412", stale.Error, StringComparison.Ordinal);

        var updated = await Memfab.RunAsync(data.Local("notes", "update", noteId, "--text", "Tom ran his first half marathon in Porto.", "--if-version", version.ToString(System.Globalization.CultureInfo.InvariantCulture), "--agent", "tom", "--json"));
        Assert.True(updated.Code == 0, updated.ToString());
        string currentId;
        using (var document = JsonDocument.Parse(updated.Out))
        {
            Assert.Equal("updated", document.RootElement.GetProperty("operation").GetString());
            Assert.Equal(version + 1, document.RootElement.GetProperty("note").GetProperty("version").GetInt32());
            currentId = document.RootElement.GetProperty("note").GetProperty("id").GetString()!;
        }

        var old = await Memfab.RunAsync(data.Local("notes", "delete", noteId, "--agent", "tom"));
        Assert.Equal(2, old.Code);
        Assert.Contains("409", old.Error, StringComparison.Ordinal);
        Assert.Contains(currentId, old.Error, StringComparison.Ordinal);

        var purged = await Memfab.RunAsync(data.Local("notes", "delete", currentId, "--purge", "--forget-sources", "--if-version", (version + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--agent", "tom"));
        Assert.True(purged.Code == 0, purged.ToString());
        Assert.Contains("forgotten: s1:2", purged.Out, StringComparison.Ordinal);

        var after = await Memfab.RunAsync(data.Local("search", "half marathon knee river", "--agent", "tom", "--json"));
        Assert.True(after.Code == 0, after.ToString());
        Assert.DoesNotContain("half marathon along the river", after.Out, StringComparison.Ordinal);
        var needle = Encoding.UTF8.GetBytes("half marathon along");
        Assert.DoesNotContain(Directory.EnumerateFiles(data.Path, "*", SearchOption.AllDirectories), f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0);
        Assert.Equal(2, (await Memfab.RunAsync(data.Local("notes", "update", currentId, "--text", "x", "--if-version", "0", "--agent", "tom"))).Code);
    }
}
