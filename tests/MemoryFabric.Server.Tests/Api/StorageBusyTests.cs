using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Server.Tests.Support;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Server.Tests.Api;

public sealed class StorageBusyTests : IDisposable
{
    private readonly FabricServerFactory _factory = new(new Dictionary<string, string?> { ["MemoryFabric:MaxQueuedWrites"] = "1" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Writes_beyond_a_full_write_queue_get_503_with_retry_after_and_lose_nothing_acknowledged()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/agents/a0/turns", Turns.Batch(Turns.One("seed", "The ferry leaves at nine.")))).StatusCode);

        // Another process holds SQLite's write lock: the server's writer waits, and writes pile up behind it.
        using var blocker = new SqliteConnection($"Data Source={Path.Combine(_factory.DataDirectory, "memoryfabric.db")};Pooling=False");
        blocker.Open();
        Execute(blocker, "BEGIN IMMEDIATE;");
        var writes = Enumerable.Range(1, 8)
            .Select(i => client.PostAsJsonAsync($"/v1/agents/a{i}/turns", Turns.Batch(Turns.One($"t{i}", $"Turn {i} about the harbour."))))
            .ToList();
        await Task.Delay(1500);
        Execute(blocker, "ROLLBACK;");
        var responses = await Task.WhenAll(writes);

        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(refused);
        foreach (var response in refused)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
            Assert.Equal("storage-busy", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString()!.Split('/')[^1]);
        }

        // Every acknowledged write is stored; a refused one stored nothing, and succeeds when retried.
        for (var i = 1; i <= 8; i++)
        {
            var turns = await client.GetAsync($"/v1/agents/a{i}/turns");
            if (responses[i - 1].StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal(HttpStatusCode.OK, turns.StatusCode);
            }
            else
            {
                // A refused write stored nothing: the agent is unknown, or (its grain having been activated by the
                // refused call) known without a turn.
                if (turns.StatusCode != HttpStatusCode.NotFound)
                {
                    Assert.Equal(HttpStatusCode.OK, turns.StatusCode);
                    Assert.True(0 == (await turns.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("turns").GetArrayLength(), await responses[i - 1].Content.ReadAsStringAsync());
                }

                Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/v1/agents/a{i}/turns", Turns.Batch(Turns.One($"t{i}", $"Turn {i} about the harbour.")))).StatusCode);
            }
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
