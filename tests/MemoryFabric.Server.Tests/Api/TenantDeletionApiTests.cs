using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Api;

/// <summary><c>DELETE /v1/admin/tenants/{tenant}</c>: the tenant's keys answer 401 at once, its memory text is found by
/// no endpoint and in no file under the data directory (after a restart too), a second delete is a 404, other tenants
/// are untouched, the id can be created again and starts empty, and a deletion interrupted midway is finished after a
/// restart.</summary>
public sealed class TenantDeletionApiTests
{
    // Distinctive words: the first is acme's (the deleted tenant), the second globex's (the bystander).
    private const string Secret = "Quetzalbrook";
    private const string Bystander = "Vermilionfjord";

    [Fact]
    public async Task A_deleted_tenant_is_in_no_endpoint_and_no_file_its_keys_answer_401_and_its_id_starts_empty_again()
    {
        var directory = NewDirectory();
        var settings = new Dictionary<string, string?> { ["MemoryFabric:DataDirectory"] = directory };
        try
        {
            string acmeKey;
            string globexKey;
            using (var factory = new FabricServerFactory(settings))
            {
                using var acme = await factory.CreateTenantClientAsync("acme");
                using var globex = await factory.CreateTenantClientAsync("globex");
                using var admin = factory.CreateAdminClient();
                acmeKey = acme.DefaultRequestHeaders.Authorization!.Parameter!;
                globexKey = globex.DefaultRequestHeaders.Authorization!.Parameter!;
                var readKey = await CreateKeyAsync(admin, "acme", "reader");
                await FillAsync(acme, globex);
                Assert.NotEmpty(FilesHolding(directory, Secret));
                Assert.Contains(Secret, await SearchAsync(acme, "ann"), StringComparison.Ordinal);

                var deleted = await admin.DeleteAsync("/v1/admin/tenants/acme");
                Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
                var result = await deleted.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("acme", result.GetProperty("tenant").GetString());
                Assert.Equal(2, result.GetProperty("agentsPurged").GetInt32());
                Assert.Equal(2, result.GetProperty("keysRevoked").GetInt32());

                // Both keys are refused at once, on every route.
                foreach (var key in new[] { acmeKey, readKey })
                {
                    using var revoked = factory.CreateClient(key);
                    await AssertUnauthorizedAsync(await revoked.GetAsync("/v1/agents"));
                    await AssertUnauthorizedAsync(await revoked.PostAsJsonAsync("/v1/agents/ann/search", new { query = Secret }));
                }

                Assert.Empty(FilesHolding(directory, Secret));

                // Gone: a second delete, its keys and the listing.
                var again = await admin.DeleteAsync("/v1/admin/tenants/acme");
                Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
                Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
                Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/v1/admin/tenants/acme/keys")).StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "late" })).StatusCode);
                Assert.Equal(["globex"], await TenantIdsAsync(admin));

                // The other tenant is untouched.
                Assert.Contains(Bystander, await SearchAsync(globex, "ann"), StringComparison.Ordinal);
                Assert.NotEmpty(FilesHolding(directory, Bystander));
            }

            using var restarted = new FabricServerFactory(settings);
            Assert.Empty(FilesHolding(directory, Secret));
            using var oldKey = restarted.CreateClient(acmeKey);
            await AssertUnauthorizedAsync(await oldKey.GetAsync("/v1/agents"));
            using var restartedAdmin = restarted.CreateAdminClient();
            Assert.Equal(["globex"], await TenantIdsAsync(restartedAdmin));
            Assert.Equal(HttpStatusCode.NotFound, (await restartedAdmin.DeleteAsync("/v1/admin/tenants/acme")).StatusCode);
            using var globexAfter = restarted.CreateClient(globexKey);
            Assert.Contains(Bystander, await SearchAsync(globexAfter, "ann"), StringComparison.Ordinal);

            // The same id again: a new, empty tenant (no agents, no guard groups), and the old key stays refused.
            using var reborn = await restarted.CreateTenantClientAsync("acme");
            var agents = await reborn.GetFromJsonAsync<JsonElement>("/v1/agents");
            Assert.Equal(0, agents.GetProperty("agents").GetArrayLength());
            Assert.Equal(HttpStatusCode.NotFound, (await reborn.GetAsync("/v1/agents/ann")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await reborn.PostAsJsonAsync("/v1/agents/ann/search", new { query = Secret })).StatusCode);
            Assert.Equal(0, (await reborn.GetFromJsonAsync<JsonElement>("/v1/guard/groups")).GetProperty("groups").GetArrayLength());
            await AssertUnauthorizedAsync(await oldKey.GetAsync("/v1/agents"));
            (await reborn.PostAsJsonAsync("/v1/agents/ann/turns", Turns.Batch(Turns.One("n-1", "A fresh start for the new tenant.")))).EnsureSuccessStatusCode();
            Assert.DoesNotContain(Secret, await SearchAsync(reborn, "ann"), StringComparison.Ordinal);
            Assert.Empty(FilesHolding(directory, Secret));
        }
        finally
        {
            DeleteDirectory(directory);
        }
    }

    [Fact]
    public async Task A_deletion_interrupted_after_its_keys_were_revoked_is_finished_after_a_restart()
    {
        var directory = NewDirectory();
        var settings = new Dictionary<string, string?> { ["MemoryFabric:DataDirectory"] = directory };
        try
        {
            string acmeKey;
            using (var factory = new FabricServerFactory(settings))
            {
                using var acme = await factory.CreateTenantClientAsync("acme");
                using var globex = await factory.CreateTenantClientAsync("globex");
                acmeKey = acme.DefaultRequestHeaders.Authorization!.Parameter!;
                await FillAsync(acme, globex);

                // The first step of a DELETE only, as if the process died right after it.
                var directoryGrain = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.DirectoryKey);
                var started = await directoryGrain.BeginDeleteAsync("acme");
                Assert.NotNull(started);
                Assert.Single(started.RevokedKeys);

                // This server cached the key, but the directory's revocation feed drops it within a second.
                await EventuallyAsync(async () => (await acme.GetAsync("/v1/agents")).StatusCode == HttpStatusCode.Unauthorized, "the revoked key is refused");
                using var admin = factory.CreateAdminClient();
                var listed = (await admin.GetFromJsonAsync<JsonElement>("/v1/admin/tenants")).GetProperty("tenants").EnumerateArray()
                    .Single(t => t.GetProperty("id").GetString() == "acme");
                Assert.Equal(JsonValueKind.String, listed.GetProperty("deletingSince").ValueKind);
                var recreate = await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" });
                Assert.Equal(HttpStatusCode.Conflict, recreate.StatusCode);
                Assert.Contains("being deleted", await recreate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "late" })).StatusCode);
                Assert.NotEmpty(FilesHolding(directory, Secret));
            }

            // The directory resumes the deletion when it activates after the restart (no request needed).
            using var restarted = new FabricServerFactory(settings);
            using var restartedAdmin = restarted.CreateAdminClient();
            await EventuallyAsync(async () => !(await TenantIdsAsync(restartedAdmin)).Contains("acme"), "the deletion is finished");
            Assert.Empty(FilesHolding(directory, Secret));
            Assert.NotEmpty(FilesHolding(directory, Bystander));
            using var oldKey = restarted.CreateClient(acmeKey);
            await AssertUnauthorizedAsync(await oldKey.GetAsync("/v1/agents"));
        }
        finally
        {
            DeleteDirectory(directory);
        }
    }

    [Fact]
    public async Task A_deleted_agent_is_in_no_file_under_the_data_directory()
    {
        // DELETE /v1/agents/{agent}, one agent rather than a tenant: the same purge of its files.
        var directory = NewDirectory();
        try
        {
            using var factory = new FabricServerFactory(new Dictionary<string, string?> { ["MemoryFabric:DataDirectory"] = directory });
            using var acme = await factory.CreateTenantClientAsync("acme");
            (await acme.PostAsJsonAsync("/v1/agents/ann/turns", Turns.Batch(
                Turns.One("a-1", $"Ann lives in {Secret} and works as a counselor.", "Ann", minute: 0)))).EnsureSuccessStatusCode();
            (await acme.PostAsJsonAsync("/v1/agents/ann/notes", new { text = $"Ann's home town is {Secret}.", subject = "Ann" })).EnsureSuccessStatusCode();
            (await acme.PostAsync("/v1/agents/ann/consolidate", null)).EnsureSuccessStatusCode();
            (await acme.PostAsJsonAsync("/v1/agents/bob/turns", Turns.Batch(
                Turns.One("b-1", $"Bob lives in {Bystander}.", "Bob", minute: 0)))).EnsureSuccessStatusCode();
            Assert.NotEmpty(FilesHolding(directory, Secret));

            Assert.True((await acme.DeleteAsync("/v1/agents/ann")).IsSuccessStatusCode);

            Assert.Empty(FilesHolding(directory, Secret));
            Assert.NotEmpty(FilesHolding(directory, Bystander));
        }
        finally
        {
            DeleteDirectory(directory);
        }
    }

    [Fact]
    public async Task Deleting_an_unknown_tenant_is_a_404_problem_and_changes_nothing()
    {
        using var factory = new FabricServerFactory();
        using var acme = await factory.CreateTenantClientAsync("acme");
        using var admin = factory.CreateAdminClient();
        var response = await admin.DeleteAsync("/v1/admin/tenants/nobody");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal("No tenant 'nobody'.", problem.GetProperty("detail").GetString());

        // An id no tenant can have is bad input, as on every route.
        var invalid = await admin.DeleteAsync("/v1/admin/tenants/Not_A_Tenant");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);

        Assert.Equal(["acme"], await TenantIdsAsync(admin));
        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync("/v1/agents")).StatusCode);

        // A tenant key may not delete its own tenant.
        Assert.Equal(HttpStatusCode.Forbidden, (await acme.DeleteAsync("/v1/admin/tenants/acme")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync("/v1/agents")).StatusCode);
    }

    // acme: the secret in two agents' turns, in a note, in their episodes and notes after a consolidation, and in the
    // claims the agents share with a relation group; globex: the bystander's word in an agent of the same name.
    private static async Task FillAsync(HttpClient acme, HttpClient globex)
    {
        Assert.Equal(HttpStatusCode.OK, (await acme.PutAsync("/v1/guard/groups/crew/members/ann", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acme.PutAsync("/v1/guard/groups/crew/members/bob", null)).StatusCode);
        (await acme.PostAsJsonAsync("/v1/agents/ann/turns", Turns.Batch(
            Turns.One("a-1", $"Ann lives in {Secret} and works as a counselor.", "Ann", minute: 0),
            Turns.One("a-2", $"The ferry to {Secret} leaves at seven every morning.", "Ann", minute: 1)))).EnsureSuccessStatusCode();
        (await acme.PostAsJsonAsync("/v1/agents/bob/turns", Turns.Batch(
            Turns.One("b-1", $"Bob grew up in {Secret} near the old harbour.", "Bob", minute: 0)))).EnsureSuccessStatusCode();
        (await acme.PostAsJsonAsync("/v1/agents/ann/notes", new { text = $"Ann's home town is {Secret}.", subject = "Ann" })).EnsureSuccessStatusCode();
        (await acme.PostAsync("/v1/agents/ann/consolidate", null)).EnsureSuccessStatusCode();
        (await acme.PostAsync("/v1/agents/bob/consolidate", null)).EnsureSuccessStatusCode();
        (await globex.PostAsJsonAsync("/v1/agents/ann/turns", Turns.Batch(
            Turns.One("g-1", $"Ann lives in {Bystander} and works as a pilot.", "Ann", minute: 0)))).EnsureSuccessStatusCode();
    }

    private static async Task<string> CreateKeyAsync(HttpClient admin, string tenant, string name)
    {
        var created = await admin.PostAsJsonAsync($"/v1/admin/tenants/{tenant}/keys", new { name, scopes = new[] { "read" } });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private static async Task<string> SearchAsync(HttpClient client, string agent)
    {
        var response = await client.PostAsJsonAsync($"/v1/agents/{agent}/search", new { query = $"where does Ann live {Secret} {Bystander}", limit = 50 });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"search: {(int)response.StatusCode} {body}");
        return body;
    }

    private static async Task<List<string>> TenantIdsAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<JsonElement>("/v1/admin/tenants")).GetProperty("tenants").EnumerateArray()
            .Select(t => t.GetProperty("id").GetString()!).ToList();

    private static async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(100);
        }
    }

    // Every file under the data directory holding the word, as written or lower-cased (an index may keep it lower-cased
    // or stemmed: its lower-case middle letters suffice).
    private static List<string> FilesHolding(string directory, string word) => DataFiles.Holding(directory, word[1..9]);

    // A directory of the test's own: a factory deletes its DataDirectory when disposed, this one outlives both.
    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "mf-tenant-delete-tests-" + Guid.NewGuid().ToString("N"));

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
