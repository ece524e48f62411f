using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Durability;

/// <summary>After a rollback, an agent whose stored snapshot or journal was written by a newer release is answered
/// with a problem of its own type that says so (not a bare 500), other agents keep working, and the stored data is
/// left as it was.</summary>
public sealed class NewerFormatTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_agent_stored_in_a_newer_format_is_a_clear_problem_and_its_data_is_left_untouched(bool inSnapshot)
    {
        var directory = Path.Combine(Path.GetTempPath(), "mf-newer-format-tests-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["MemoryFabric:DataDirectory"] = directory };
        try
        {
            string key;
            using (var factory = new FabricServerFactory(settings))
            {
                using var client = await factory.CreateTenantClientAsync("acme");
                key = client.DefaultRequestHeaders.Authorization!.Parameter!;
                foreach (var agent in new[] { "ann", "bob" })
                {
                    (await client.PostAsJsonAsync($"/v1/agents/{agent}/turns", Turns.Batch(Turns.One("t-1", "I moved to Lisbon last spring.", "Alice", minute: 0)))).EnsureSuccessStatusCode();
                }
            } // stopped: every agent's state is snapshotted

            using (var factory = new FabricServerFactory(settings))
            {
                using var client = factory.CreateClient(key);
                var store = factory.Services.GetRequiredService<IActorStateStore>();
                var id = new ActorId(AgentMemoryGrain.TypeName, (await store.ListKeysAsync(AgentMemoryGrain.TypeName, string.Empty)).Single(k => k.EndsWith("/ann", StringComparison.Ordinal)));
                var state = await store.LoadAsync(id);
                byte[] stored;
                if (inSnapshot)
                {
                    // A newer release's snapshot: the format version in its header (bytes 4–5) above this build's.
                    stored = state.Snapshot!.Value.ToArray();
                    stored[4] = (byte)(AgentMemory.SnapshotFormatVersion + 1);
                    await store.WriteSnapshotAsync(id, stored, state.SnapshotJournalSequence, state.SnapshotVersion);
                }
                else
                {
                    // A newer release's journal entry after the snapshot (its first byte is the format version).
                    stored = [(byte)(Persistence.MemoryChangeCodec.FormatVersion + 1), 0, 0, 0, 0, 0, 0, 0];
                    await store.AppendAsync(id, [stored]);
                }

                var response = await client.GetAsync("/v1/agents/ann");

                Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.EndsWith("unsupported-format", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
                Assert.Contains("written by a newer MemoryFabric", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
                Assert.Equal(inSnapshot ? AgentMemory.SnapshotFormatVersion + 1 : Persistence.MemoryChangeCodec.FormatVersion + 1, problem.GetProperty("version").GetInt32());

                // Another agent is served; the newer data is still there, byte for byte.
                (await client.GetAsync("/v1/agents/bob")).EnsureSuccessStatusCode();
                var after = await store.LoadAsync(id);
                Assert.Equal(stored, inSnapshot ? after.Snapshot!.Value.ToArray() : after.Journal[^1].Data.ToArray());
            }
        }
        finally
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
}
