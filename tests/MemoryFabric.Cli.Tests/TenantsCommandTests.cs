using System.Net;
using System.Text;
using System.Text.Json;
using MemoryFabric.Cli.Commands;
using MemoryFabric.Cli.Tests.Support;
using MemoryFabric.Client;

namespace MemoryFabric.Cli.Tests;

public class TenantsCommandTests
{
    [Fact]
    public async Task Tenants_create_list_and_delete_against_a_server_with_the_admin_key()
    {
        using var data = new TempDirectory();
        await using var fabric = await ServedFabric.StartAsync(data.Path, TimeSpan.FromMinutes(3));
        var (url, http, adminKey) = (fabric.Url, fabric.Http, fabric.AdminKey);
        string[] server = ["--url", url, "--key", adminKey];

        var created = await Memfab.RunAsync(["tenants", "create", "acme", "--name", "Acme Inc.", .. server]);
        Assert.True(created.Code == 0, created.ToString());
        Assert.Equal("created tenant acme (Acme Inc.)", Assert.Single(created.OutLines));
        Assert.Equal(0, (await Memfab.RunAsync(["tenants", "create", "globex", .. server])).Code);
        var duplicate = await Memfab.RunAsync(["tenants", "create", "acme", .. server]);
        Assert.Equal(2, duplicate.Code);
        Assert.StartsWith("memfab: 409 ", Assert.Single(duplicate.ErrorLines), StringComparison.Ordinal);

        var table = await Memfab.RunAsync(["tenants", "list", .. server]);
        Assert.True(table.Code == 0, table.ToString());
        Assert.Matches(@"^TENANT\s+NAME\s+CREATED\s+STATE$", table.OutLines[0]);
        Assert.Matches(@"^acme\s+Acme Inc\.\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+active$", table.OutLines[1]);
        Assert.StartsWith("globex", table.OutLines[2], StringComparison.Ordinal);

        // The tenant's memory, written with a key of its own.
        var admin = new MemoryFabricAdminClient(http, new MemoryFabricClientOptions { ApiKey = adminKey });
        var key = (await admin.CreateApiKeyAsync("acme", "cli")).Key;
        var ingest = await Memfab.RunAsync("ingest", Memfab.Fixture("generic.json"), "--agent", "tom", "--url", url, "--key", key);
        Assert.True(ingest.Code == 0, ingest.ToString());
        Assert.NotEmpty(FilesHolding(data.Path, "half marathon along"));

        // Without --yes: refused when there is no terminal to ask, kept when the answer is not the id.
        using (ConfirmPrompt.UseTerminal(null))
        {
            var refused = await Memfab.RunAsync(["tenants", "delete", "acme", .. server]);
            Assert.Equal(2, refused.Code);
            Assert.Contains("pass --yes", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
        }

        using (ConfirmPrompt.UseTerminal(new StringReader("globex\n")))
        {
            var declined = await Memfab.RunAsync(["tenants", "delete", "acme", .. server]);
            Assert.Equal(1, declined.Code);
            Assert.Contains("Type the tenant id to confirm:", declined.Error, StringComparison.Ordinal);
            Assert.Contains("not confirmed; nothing was deleted", declined.Error, StringComparison.Ordinal);
        }

        Assert.Contains(await admin.ListTenantsAsync(), t => t.Id == "acme");

        using (ConfirmPrompt.UseTerminal(new StringReader("acme\n")))
        {
            var deleted = await Memfab.RunAsync(["tenants", "delete", "acme", .. server]);
            Assert.True(deleted.Code == 0, deleted.ToString());
            Assert.Equal("deleted tenant acme: 1 agent purged, 1 key revoked", Assert.Single(deleted.OutLines));
        }

        var search = await Memfab.RunAsync("search", "half marathon", "--agent", "tom", "--url", url, "--key", key);
        Assert.Equal(2, search.Code);
        Assert.StartsWith("memfab: 401 ", Assert.Single(search.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(FilesHolding(data.Path, "half marathon along"));

        var again = await Memfab.RunAsync(["tenants", "delete", "acme", "--yes", .. server]);
        Assert.Equal(2, again.Code);
        Assert.Equal("memfab: 404 Not found: No tenant 'acme'.", Assert.Single(again.ErrorLines));

        var json = await Memfab.RunAsync(["tenants", "list", "--json", .. server]);
        Assert.True(json.Code == 0, json.ToString());
        using (var document = JsonDocument.Parse(json.Out))
        {
            Assert.Equal(["globex"], document.RootElement.GetProperty("tenants").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        }

        var deletedJson = await Memfab.RunAsync(["tenants", "delete", "globex", "--yes", "--json", .. server]);
        Assert.True(deletedJson.Code == 0, deletedJson.ToString());
        using (var document = JsonDocument.Parse(deletedJson.Out))
        {
            Assert.Equal("globex", document.RootElement.GetProperty("tenant").GetString());
            Assert.Equal(0, document.RootElement.GetProperty("agentsPurged").GetInt32());
        }

        // A tenant key is not the admin key; a wrong key is a 401 that says which key is wanted.
        var forbidden = await Memfab.RunAsync("tenants", "list", "--url", url, "--key", (await admin.CreateApiKeyAsync(await NewTenantAsync(admin), "t")).Key);
        Assert.Equal(2, forbidden.Code);
        Assert.Matches("^memfab: 403 .*admin key", Assert.Single(forbidden.ErrorLines));
        var unauthorized = await Memfab.RunAsync("tenants", "list", "--url", url, "--key", "mfa_wrong");
        Assert.Equal(2, unauthorized.Code);
        Assert.Matches("^memfab: 401 .*MEMORYFABRIC_ADMIN_KEY", Assert.Single(unauthorized.ErrorLines));

        Assert.Equal(0, (await fabric.StopAsync()).Code);
    }

    [Theory]
    [InlineData("tenants", "delete")]
    [InlineData("tenants", "delete", "acme", "--url", "ftp://example.com", "--key", "k", "--yes")]
    [InlineData("tenants", "create", "acme", "--local")]
    public async Task Bad_tenants_command_lines_give_one_line_and_exit_code_2(params string[] args)
    {
        var result = await Memfab.RunAsync(args);

        Assert.True(result.Code == 2, result.ToString());
        Assert.Equal(string.Empty, result.Out);
        Assert.StartsWith("memfab: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_admin_key_the_command_says_where_to_get_one()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("MEMORYFABRIC_ADMIN_KEY")))
        {
            return; // the environment provides one: nothing to report
        }

        var result = await Memfab.RunAsync("tenants", "delete", "acme", "--yes", "--url", $"http://127.0.0.1:{Memfab.FreePort()}");

        Assert.Equal(2, result.Code);
        Assert.Contains("MEMORYFABRIC_ADMIN_KEY", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    private static async Task<string> NewTenantAsync(MemoryFabricAdminClient admin)
    {
        var id = "t" + Guid.NewGuid().ToString("N")[..8];
        await admin.CreateTenantAsync(id, id);
        return id;
    }

    private static List<string> FilesHolding(string directory, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != MemoryFabric.Storage.Sqlite.DataDirectoryLock.FileName) // held exclusively by the server; owner line only
            .Where(f =>
        {
            using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray().AsSpan().IndexOf(needle) >= 0;
        }).ToList();
    }
}
