using System.Text.Json;
using MemoryFabric.Cli.Tests.Support;

namespace MemoryFabric.Cli.Tests;

public class LocalModeTests
{
    [Fact]
    public async Task Ingest_search_context_notes_export_import_round_trip()
    {
        using var data = new TempDirectory();

        var ingest = await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("generic.json"), "--agent", "tom", "--consolidate"));
        Assert.True(ingest.Code == 0, ingest.ToString());
        Assert.Contains("tom: 7 turns stored, 0 duplicates in ", ingest.Out, StringComparison.Ordinal);
        Assert.Contains("turns/s)", ingest.Out, StringComparison.Ordinal);
        Assert.Contains("tom: consolidated: ", ingest.Out, StringComparison.Ordinal);
        Assert.Contains("memfab ingest: ", ingest.Error, StringComparison.Ordinal);

        var search = await Memfab.RunAsync(data.Local("search", "half marathon Porto", "--agent", "tom", "--kinds", "turn"));
        Assert.True(search.Code == 0, search.ToString());
        Assert.StartsWith("#", search.OutLines[0], StringComparison.Ordinal);
        Assert.Contains("half marathon", search.Out, StringComparison.Ordinal);
        Assert.All(search.OutLines.Skip(1), line => Assert.Contains(" turn ", line, StringComparison.Ordinal));

        var json = await Memfab.RunAsync(data.Local("search", "Miso the cat", "--agent", "tom", "--limit", "3", "--json"));
        Assert.True(json.Code == 0, json.ToString());
        using (var document = JsonDocument.Parse(json.Out))
        {
            var hits = document.RootElement.GetProperty("hits");
            Assert.InRange(hits.GetArrayLength(), 1, 3);
            Assert.False(string.IsNullOrEmpty(hits[0].GetProperty("item").GetProperty("text").GetString()));
        }

        var context = await Memfab.RunAsync(data.Local("context", "Where did Tom run his half marathon?", "--agent", "tom", "--budget", "300"));
        Assert.True(context.Code == 0, context.ToString());
        Assert.Contains("Porto", context.Out, StringComparison.Ordinal);
        Assert.Contains("memfab context: ", context.Error, StringComparison.Ordinal);

        var contextJson = await Memfab.RunAsync(data.Local("context", "cat", "--agent", "tom", "--json"));
        using (var document = JsonDocument.Parse(contextJson.Out))
        {
            Assert.True(document.RootElement.GetProperty("tokens").GetInt32() > 0);
        }

        // Notes: add, show, list, history, delete.
        var add = await Memfab.RunAsync(data.Local("notes", "add", "--agent", "tom", "--text", "Tom plays the guitar.", "--subject", "Tom", "--attribute", "hobby", "--value", "guitar", "--kind", "preference", "--json"));
        Assert.True(add.Code == 0, add.ToString());
        string noteId, lineageId;
        using (var document = JsonDocument.Parse(add.Out))
        {
            Assert.Equal("added", document.RootElement.GetProperty("operation").GetString());
            noteId = document.RootElement.GetProperty("note").GetProperty("id").GetString()!;
            lineageId = document.RootElement.GetProperty("note").GetProperty("lineageId").GetString()!;
        }

        var show = await Memfab.RunAsync(data.Local("notes", "show", noteId, "--agent", "tom"));
        Assert.True(show.Code == 0, show.ToString());
        Assert.Contains("Tom plays the guitar.", show.Out, StringComparison.Ordinal);
        Assert.Contains("preference", show.Out, StringComparison.Ordinal);
        Assert.Contains("hobby", show.Out, StringComparison.Ordinal);

        var list = await Memfab.RunAsync(data.Local("notes", "list", "--agent", "tom"));
        Assert.True(list.Code == 0, list.ToString());
        Assert.Contains(list.OutLines, l => l.StartsWith(noteId, StringComparison.Ordinal) && l.Contains("Tom plays the guitar.", StringComparison.Ordinal));

        var delete = await Memfab.RunAsync(data.Local("notes", "delete", lineageId, "--agent", "tom"));
        Assert.True(delete.Code == 0, delete.ToString());
        Assert.StartsWith("deleted: ", delete.Out, StringComparison.Ordinal);

        var history = await Memfab.RunAsync(data.Local("notes", "history", lineageId, "--agent", "tom"));
        Assert.True(history.Code == 0, history.ToString());
        Assert.StartsWith("v1", history.OutLines[0], StringComparison.Ordinal);
        Assert.Contains("deleted", history.OutLines[^1], StringComparison.Ordinal);

        var active = await Memfab.RunAsync(data.Local("notes", "list", "--agent", "tom", "--json"));
        using (var document = JsonDocument.Parse(active.Out))
        {
            Assert.DoesNotContain(document.RootElement.GetProperty("notes").EnumerateArray(), n => n.GetProperty("lineageId").GetString() == lineageId);
        }

        var all = await Memfab.RunAsync(data.Local("notes", "list", "--agent", "tom", "--all"));
        Assert.Contains(all.OutLines, l => l.Contains("deleted", StringComparison.Ordinal) && l.Contains("Tom plays the guitar.", StringComparison.Ordinal));

        // Export to a file and to stdout; import into another agent; the copy exports the same turns and notes.
        var exportPath = data.File("tom.ndjson");
        var export = await Memfab.RunAsync(data.Local("export", "--agent", "tom", "--out", exportPath));
        Assert.True(export.Code == 0, export.ToString());
        Assert.Equal(string.Empty, export.Out);
        var records = ReadRecords(await File.ReadAllTextAsync(exportPath));
        Assert.Equal(7, records.Count(r => r.Type == "turn"));
        Assert.Contains(records, r => r.Type == "note");
        Assert.False(File.Exists(exportPath + ".partial"));

        var stdoutExport = await Memfab.RunAsync(data.Local("export", "--agent", "tom"));
        Assert.True(stdoutExport.Code == 0, stdoutExport.ToString());
        Assert.Equal(await File.ReadAllTextAsync(exportPath), stdoutExport.Out);
        Assert.Contains($"memfab export: tom: {records.Count} records", stdoutExport.Error, StringComparison.Ordinal);

        var import = await Memfab.RunAsync(data.Local("import", exportPath, "--agent", "tom-copy"));
        Assert.True(import.Code == 0, import.ToString());
        Assert.StartsWith("tom-copy: imported 7 turns, ", import.Out, StringComparison.Ordinal);

        var again = await Memfab.RunAsync(data.Local("import", exportPath, "--agent", "tom-copy"));
        Assert.True(again.Code == 0, again.ToString());
        Assert.StartsWith("tom-copy: imported 0 turns, 0 note versions, ", again.Out, StringComparison.Ordinal);

        var copy = await Memfab.RunAsync(data.Local("export", "--agent", "tom-copy"));
        var copied = ReadRecords(copy.Out);
        Assert.Equal(
            records.Where(r => r.Type == "turn").Select(r => r.Id).Order(StringComparer.Ordinal),
            copied.Where(r => r.Type == "turn").Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(
            records.Where(r => r.Type == "note").Select(r => r.Id).Order(StringComparer.Ordinal),
            copied.Where(r => r.Type == "note").Select(r => r.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Local_mode_creates_the_tenant_key_once_and_reuses_it()
    {
        using var data = new TempDirectory();

        var first = await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("generic.json"), "--agent", "a"));
        Assert.True(first.Code == 0, first.ToString());
        Assert.Contains("notes are built when an agent consolidates", first.Error, StringComparison.Ordinal);
        var keyPath = data.File("local.key");
        Assert.True(File.Exists(keyPath));
        Assert.True(File.Exists(data.File("admin.key")));
        var key = (await File.ReadAllTextAsync(keyPath)).Trim();
        Assert.StartsWith("mfk_", key, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        }

        var second = await Memfab.RunAsync(data.Local("ingest", Memfab.Fixture("generic.json"), "--agent", "a"));
        Assert.True(second.Code == 0, second.ToString());
        Assert.Contains("a: 0 turns stored, 7 duplicates", second.Out, StringComparison.Ordinal);
        Assert.Equal(key, (await File.ReadAllTextAsync(keyPath)).Trim());
        Assert.DoesNotContain("creating a new one", second.Error, StringComparison.Ordinal);

        // A key file that does not hold a valid key is replaced.
        await File.WriteAllTextAsync(keyPath, "mfk_not-a-real-key\n");
        var third = await Memfab.RunAsync(data.Local("search", "cat", "--agent", "a"));
        Assert.True(third.Code == 0, third.ToString());
        Assert.Contains("creating a new one", third.Error, StringComparison.Ordinal);
        var replaced = (await File.ReadAllTextAsync(keyPath)).Trim();
        Assert.StartsWith("mfk_", replaced, StringComparison.Ordinal);
        Assert.NotEqual("mfk_not-a-real-key", replaced);
    }

    private static List<(string Type, string Id)> ReadRecords(string ndjson)
    {
        var records = new List<(string, string)>();
        foreach (var line in ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            var type = document.RootElement.GetProperty("type").GetString()!;
            records.Add((type, document.RootElement.GetProperty(type).GetProperty("id").GetString()!));
        }

        return records;
    }
}
