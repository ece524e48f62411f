using System.Collections.Concurrent;
using System.Text.Json;
using MemoryFabric.Cli.Commands.Admin;
using MemoryFabric.Cli.Tests.Support;
using MemoryFabric.Client;
using MemoryFabric.Conversation;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Cli.Tests;

public class AdminCommandTests
{
    private const int TurnsPerBatch = 5;

    // Written by the release before this change (commit 4dc4b61, the last whose formats differ: agent snapshots at
    // format 2, no application id, no auto-vacuum) with `memfab --local --embedder hashing`: generic.json ingested into
    // agents tom (consolidated) and priya, turn s1:3 of tom forgotten, a note added to priya by hand.
    private static readonly string PreviousRelease = Memfab.Fixture(Path.Combine("release-4dc4b61", "memoryfabric.db"));

    [Fact]
    public async Task A_backup_taken_during_ingest_restores_every_batch_acknowledged_before_it_and_no_half_batch()
    {
        using var data = new TempDirectory();
        using var work = new TempDirectory();
        using var restored = new TempDirectory();
        await using var fabric = await ServedFabric.StartAsync(data.Path, TimeSpan.FromMinutes(4));
        var (url, http, adminKey) = (fabric.Url, fabric.Http, fabric.AdminKey);
        var admin = new MemoryFabricAdminClient(http, new MemoryFabricClientOptions { ApiKey = adminKey });
        await admin.CreateTenantAsync("acme", "Acme");
        var key = (await admin.CreateApiKeyAsync("acme", "ingest")).Key;
        var client = new MemoryFabricClient(http, new MemoryFabricClientOptions { ApiKey = key });

        // A writer per agent, each ingesting batches of identified turns until told to stop; a batch counts as
        // acknowledged when its call returned.
        var acknowledged = new ConcurrentDictionary<string, long>(StringComparer.Ordinal); // "agent/batch" -> when (ticks)
        using var stopWriters = new CancellationTokenSource();
        string[] agents = ["ann", "bob", "cy"];
        var writers = agents.Select(agent => Task.Run(async () =>
        {
            for (var batch = 0; !stopWriters.IsCancellationRequested; batch++)
            {
                await client.IngestAsync(agent, Batch(batch));
                acknowledged[$"{agent}/{batch}"] = TimeProvider.System.GetTimestamp();
            }
        })).ToArray();

        while (acknowledged.Count < 60)
        {
            await Task.Delay(20);
        }

        var backupStarted = TimeProvider.System.GetTimestamp();
        var before = acknowledged.Where(p => p.Value < backupStarted).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var backupFile = work.File("store.db");
        var backup = await Memfab.RunAsync("admin", "backup", "--out", backupFile, "--url", url, "--key", adminKey);
        var acknowledgedDuringBackup = acknowledged.Count - before.Count;
        await stopWriters.CancelAsync();
        await Task.WhenAll(writers);
        Assert.True(backup.Code == 0, backup.ToString());
        Assert.Matches(@"^backed up to .*store\.db: .* schema 2, 3 agents, in \d+\.\d s$", Assert.Single(backup.OutLines));
        Assert.True(acknowledgedDuringBackup > 0, "no write was acknowledged while the backup ran: the test shows nothing about writes going on");
        Assert.False(File.Exists(backupFile + ".partial"));
        Assert.Empty(Directory.EnumerateFiles(data.Path, "backup-*")); // the server's temporary copy is gone

        Assert.Equal(0, (await fabric.StopAsync()).Code);

        // Restored into a new directory and served from it, turn by turn.
        var restore = await Memfab.RunAsync("admin", "restore", backupFile, "--data", restored.Path);
        Assert.True(restore.Code == 0, restore.ToString());
        Assert.StartsWith("restored 3 agents (schema 2", Assert.Single(restore.OutLines), StringComparison.Ordinal);
        Assert.Contains("integrity_check", restore.Error, StringComparison.Ordinal);

        await using var fabric2 = await ServedFabric.StartAsync(restored.Path, TimeSpan.FromMinutes(3));
        var client2 = new MemoryFabricClient(fabric2.Http, new MemoryFabricClientOptions { ApiKey = key }); // the tenant's key is in the backup
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var agent in agents)
        {
            foreach (var turn in await client2.GetTurnsAsync(agent))
            {
                present.Add($"{agent}/{turn.Id}");
            }
        }

        var batches = acknowledged.Keys.Select(k => (Key: k, Present: Enumerable.Range(0, TurnsPerBatch).Count(t => present.Contains($"{k.Split('/')[0]}/b{k.Split('/')[1]}-t{t}"))))
            .ToList();
        var missing = batches.Where(b => before.Contains(b.Key) && b.Present != TurnsPerBatch).Select(b => b.Key).ToList();
        var half = batches.Where(b => b.Present is > 0 and < TurnsPerBatch).Select(b => b.Key).ToList();
        Assert.True(missing.Count == 0, $"acknowledged before the backup but not (wholly) restored: {string.Join(", ", missing)}");
        Assert.True(half.Count == 0, $"half batches: {string.Join(", ", half)}");
        Assert.Equal(present.Count, batches.Sum(b => b.Present)); // nothing else restored
        Assert.True(before.Count >= 60);

        Assert.Equal(0, (await fabric2.StopAsync()).Code);
    }

    [Fact]
    public async Task Backup_is_refused_by_an_in_memory_server_with_a_problem_and_to_a_tenant_key_writing_no_file()
    {
        using var work = new TempDirectory();
        var url = $"http://127.0.0.1:{Memfab.FreePort()}";
        const string adminKey = "mfa_backup-test-admin-key-0123456789";
        var app = MemoryFabric.Server.MemoryFabricServer.Build(
            [$"--urls={url}", "--MemoryFabric:InMemory=true", "--MemoryFabric:Embedder=hashing", $"--MemoryFabric:AdminKey={adminKey}"]);
        await using var server = app;
        await app.StartAsync();

        using (var http = new HttpClient { BaseAddress = new Uri(url) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/backup");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminKey);
            using var response = await http.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.NotImplemented, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("backup-unsupported", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            var admin = new MemoryFabricAdminClient(http, new MemoryFabricClientOptions { ApiKey = adminKey });
            await admin.CreateTenantAsync("acme", "Acme");
            var tenantKey = (await admin.CreateApiKeyAsync("acme", "k")).Key;
            var forbidden = await Memfab.RunAsync("admin", "backup", "--out", work.File("x.db"), "--url", url, "--key", tenantKey);
            Assert.Equal(2, forbidden.Code);
            Assert.StartsWith("memfab: 403 ", forbidden.ErrorLines[^1], StringComparison.Ordinal);
        }

        var refused = await Memfab.RunAsync("admin", "backup", "--out", work.File("b.db"), "--url", url, "--key", adminKey);
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("501", refused.Error, StringComparison.Ordinal);
        Assert.Contains("no store on disk to back up", refused.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(work.Path));
        await app.StopAsync();
    }

    [Fact]
    public async Task Restore_refuses_a_non_empty_directory_and_a_file_that_is_no_MemoryFabric_database_writing_nothing()
    {
        using var work = new TempDirectory();
        var backup = work.File("prev.db");
        File.Copy(PreviousRelease, backup);

        var occupied = Path.Combine(work.Path, "occupied");
        Directory.CreateDirectory(occupied);
        await File.WriteAllTextAsync(Path.Combine(occupied, "notes.txt"), "keep me");
        var refused = await Memfab.RunAsync("admin", "restore", backup, "--data", occupied);
        Assert.Equal(2, refused.Code);
        Assert.Contains($"The data directory '{occupied}' is not empty (it holds 'notes.txt')", refused.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was written", refused.Error, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(occupied).Select(Path.GetFileName));

        var text = work.File("text.db");
        await File.WriteAllTextAsync(text, "not a database at all");
        var notSqlite = await Memfab.RunAsync("admin", "restore", text, "--data", Path.Combine(work.Path, "a"));
        Assert.Equal(2, notSqlite.Code);
        Assert.Contains("is not an SQLite database", notSqlite.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(work.Path, "a")));

        var foreign = work.File("foreign.db");
        CreateSqlite(foreign, "CREATE TABLE t (x);");
        var notOurs = await Memfab.RunAsync("admin", "restore", foreign, "--data", Path.Combine(work.Path, "b"));
        Assert.Equal(2, notOurs.Code);
        Assert.Contains("is not a MemoryFabric database (schema version 0, without the snapshots and journal tables)", notOurs.Error, StringComparison.Ordinal);

        var future = work.File("future.db");
        CreateSqlite(future, $"CREATE TABLE snapshots (x); CREATE TABLE journal (x); PRAGMA user_version=3; PRAGMA application_id={0x4D466162};");
        var newer = await Memfab.RunAsync("admin", "restore", future, "--data", Path.Combine(work.Path, "b"));
        Assert.Equal(2, newer.Code);
        Assert.Contains("has schema version 3, newer than the 2 this version of MemoryFabric supports", newer.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(work.Path, "b")));

        var other = work.File("other.db");
        CreateSqlite(other, "CREATE TABLE snapshots (x); CREATE TABLE journal (x); PRAGMA user_version=2; PRAGMA application_id=1234;");
        var otherApp = await Memfab.RunAsync("admin", "restore", other, "--data", Path.Combine(work.Path, "c"));
        Assert.Equal(2, otherApp.Code);
        Assert.Contains("another application (application_id 0x000004D2)", otherApp.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(work.Path, "c")));

        // The previous release's database restores (a backup of an older schema is upgraded when served).
        var ok = await Memfab.RunAsync("admin", "restore", backup, "--data", Path.Combine(work.Path, "d"), "--quiet");
        Assert.True(ok.Code == 0, ok.ToString());
        Assert.Equal(string.Empty, ok.Error);
        Assert.Equal( // the database, besides the files of the lock the restore held
            ["memoryfabric.db"],
            Directory.EnumerateFileSystemEntries(Path.Combine(work.Path, "d")).Select(Path.GetFileName).Where(f => !f!.StartsWith("memoryfabric.lock", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_data_directory_of_the_previous_release_opens_with_its_turns_notes_and_forgetting()
    {
        using var data = new TempDirectory();
        File.Copy(PreviousRelease, data.File("memoryfabric.db"));

        await AssertFixtureContentAsync(data);
    }

    [Fact]
    public async Task Migrate_backs_up_then_rewrites_the_previous_release_snapshots_and_then_has_nothing_to_do()
    {
        using var parent = new TempDirectory();
        var (directory, database) = PreviousReleaseData(parent);
        var oldModel = ModelsOf(database);
        Assert.Equal(2, oldModel.Count);

        var migrated = await Memfab.RunAsync("admin", "migrate", "--data", directory);

        Assert.True(migrated.Code == 0, migrated.ToString());
        Assert.Equal($"{directory}: schema 2 (no MemoryFabric application id yet), agent snapshots: 2 at format 2", migrated.OutLines[0]);
        var backup = Assert.Single(Directory.EnumerateFiles(parent.Path, "data.backup-schema2-snapshot2-*.db"));
        Assert.StartsWith($"backed up to {backup} (", migrated.OutLines[1], StringComparison.Ordinal);
        Assert.Contains($"agent local/tom: snapshot format 2 -> {AgentMemory.SnapshotFormatVersion}", migrated.Out, StringComparison.Ordinal);
        Assert.Contains($"agent local/priya: snapshot format 2 -> {AgentMemory.SnapshotFormatVersion}", migrated.Out, StringComparison.Ordinal);
        Assert.EndsWith($"application id stamped, 2 agent snapshots rewritten at format {AgentMemory.SnapshotFormatVersion}; now schema 2, agent snapshots: 2 at format {AgentMemory.SnapshotFormatVersion}", migrated.OutLines[^1], StringComparison.Ordinal);

        // The backup is the old database, as it was; the snapshots keep naming the model their vectors came from.
        Assert.Equal(new DataFormats(2, false, new Dictionary<int, int> { [2] = 2 }).ToString(), DataMigration.ReadFormats(backup).ToString());
        Assert.Equal(oldModel, ModelsOf(database));
        Assert.All(oldModel.Values, m => Assert.True(m.Dimensions > 0 && m.ModelId is { Length: > 0 }, $"{m}"));

        var written = File.GetLastWriteTimeUtc(database);
        var again = await Memfab.RunAsync("admin", "migrate", "--data", directory);
        Assert.True(again.Code == 0, again.ToString());
        Assert.Equal($"{directory} is current (schema 2, agent snapshots: 2 at format {AgentMemory.SnapshotFormatVersion}): nothing to migrate, nothing was changed", Assert.Single(again.OutLines));
        Assert.Single(Directory.EnumerateFiles(parent.Path, "*.db"));
        Assert.Equal(written, File.GetLastWriteTimeUtc(database));

        using var served = new TempDirectory();
        File.Copy(database, served.File("memoryfabric.db"));
        await AssertFixtureContentAsync(served);
    }

    [Fact]
    public async Task Migrate_refuses_a_newer_database_and_a_missing_one_changing_nothing()
    {
        using var parent = new TempDirectory();
        var (directory, database) = PreviousReleaseData(parent);
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version=3;";
            command.ExecuteNonQuery();
        }

        var bytes = await File.ReadAllBytesAsync(database);
        var newer = await Memfab.RunAsync("admin", "migrate", "--data", directory);
        Assert.Equal(1, newer.Code);
        Assert.Contains("schema version 3, newer than the 2 this version of MemoryFabric supports", newer.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", newer.Error, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(database));
        Assert.Single(Directory.EnumerateFiles(parent.Path, "*.db*", SearchOption.AllDirectories));

        // The server refuses it too, saying why.
        var serve = await Memfab.RunAsync("search", "marathon", "--agent", "tom", "--local", "--data", directory, "--embedder", "hashing");
        Assert.NotEqual(0, serve.Code);
        Assert.Contains("newer than the 2 this version of MemoryFabric", serve.Error, StringComparison.Ordinal);

        // A snapshot of a newer format: refused by name, nothing changed.
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version=2; UPDATE snapshots SET data = CAST(substr(data, 1, 4) || x'0900' || substr(data, 7) AS BLOB) WHERE actor_key = 'local/tom';";
            command.ExecuteNonQuery();
        }

        bytes = await File.ReadAllBytesAsync(database);
        var newerSnapshot = await Memfab.RunAsync("admin", "migrate", "--data", directory);
        Assert.Equal(1, newerSnapshot.Code);
        Assert.Equal(
            $"memfab admin migrate: '{database}' holds an agent snapshot of format 9, newer than the {AgentMemory.SnapshotFormatVersion} this version of MemoryFabric reads: upgrade memfab (a migration only goes forward); nothing was changed",
            Assert.Single(newerSnapshot.ErrorLines));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(database));

        var none = await Memfab.RunAsync("admin", "migrate", "--data", Path.Combine(parent.Path, "nothing"));
        Assert.Equal(2, none.Code);
        Assert.Contains("no MemoryFabric database", none.Error, StringComparison.Ordinal);
    }

    // PARENT/data holding a copy of the previous release's database: (the directory, the database file).
    private static (string Directory, string Database) PreviousReleaseData(TempDirectory parent)
    {
        var directory = Path.Combine(parent.Path, "data");
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "memoryfabric.db");
        File.Copy(PreviousRelease, database);
        return (directory, database);
    }

    private static async Task AssertFixtureContentAsync(TempDirectory data)
    {
        var tom = await ExportAsync(data, "tom");
        Assert.Equal(["s1:1", "s1:2", "s1:4", "s2:1", "s2:2", "s2:3"], tom.Turns); // s1:3 was forgotten
        Assert.Contains("On 3 March 2024 Tom ran Tom's first half marathon along the river in Porto, and Tom's knee held up the whole way.", tom.Notes);
        Assert.Contains("Tom is starting guitar lessons again in May 2024.", tom.Notes);
        Assert.DoesNotContain(tom.Notes, n => n.Contains("Congratulations", StringComparison.Ordinal));
        var priya = await ExportAsync(data, "priya");
        Assert.Equal(["s1:1", "s1:2", "s1:3", "s1:4", "s2:1", "s2:2", "s2:3"], priya.Turns);
        Assert.Equal(["Priya prefers tea over coffee."], priya.Notes);

        var search = await Memfab.RunAsync(data.Local("search", "half marathon Porto", "--agent", "tom"));
        Assert.True(search.Code == 0, search.ToString());
        Assert.Contains("Yesterday I ran my first half marathon", search.Out, StringComparison.Ordinal);
        var forgotten = await Memfab.RunAsync(data.Local("search", "Congratulations time", "--agent", "tom"));
        Assert.DoesNotContain("Congratulations", forgotten.Out, StringComparison.Ordinal);
    }

    private static async Task<(List<string> Turns, List<string> Notes)> ExportAsync(TempDirectory data, string agent)
    {
        var export = await Memfab.RunAsync(data.Local("export", "--agent", agent));
        Assert.True(export.Code == 0, export.ToString());
        var turns = new List<string>();
        var notes = new List<string>();
        foreach (var line in export.OutLines)
        {
            using var record = JsonDocument.Parse(line);
            var type = record.RootElement.GetProperty("type").GetString();
            if (type == "turn")
            {
                turns.Add(record.RootElement.GetProperty("turn").GetProperty("id").GetString()!);
            }
            else if (type == "note")
            {
                notes.Add(record.RootElement.GetProperty("note").GetProperty("text").GetString()!);
            }
        }

        return (turns, notes);
    }

    private static Dictionary<string, (string? ModelId, int Dimensions)> ModelsOf(string database)
    {
        var models = new Dictionary<string, (string? ModelId, int Dimensions)>(StringComparer.Ordinal);
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT actor_key, data FROM snapshots WHERE actor_type = 'agent';";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            models[reader.GetString(0)] = SnapshotUpgrade.ReadEmbedder((byte[])reader.GetValue(1));
        }

        return models;
    }

    private static void CreateSqlite(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<TurnInput> Batch(int batch) =>
        [.. Enumerable.Range(0, TurnsPerBatch).Select(t => new TurnInput
        {
            Id = $"b{batch}-t{t}",
            SessionId = $"s{batch / 10}",
            Speaker = t % 2 == 0 ? "Ann" : "Bob",
            Text = $"Batch {batch} turn {t}: the weather in Porto was fine and the river was calm.",
            Timestamp = DateTimeOffset.UnixEpoch.AddDays(20_000).AddMinutes(batch * TurnsPerBatch + t),
        })];
}
