using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace MemoryFabric.Server.Tests.Durability;

/// <summary>The batches the durability tests write through a real server process (100 turns each, ids
/// <c>b{batch}-{i}</c>, spread over three agents) and the check after a restart: every acknowledged batch whole, no
/// batch in part.</summary>
internal static class DurableBatches
{
    public const string AdminKey = "durability-admin";
    public const int BatchSize = 100;
    public const int Agents = 3;

    public static string AgentOf(int batch) => $"agent-{batch % Agents}";

    public static object Batch(int batch) => new
    {
        turns = Enumerable.Range(0, BatchSize).Select(i => new
        {
            id = $"b{batch}-{i}",
            sessionId = $"session-{batch}",
            speaker = i % 2 == 0 ? "Alice" : "Bob",
            text = $"Batch {batch} line {i}: we talked about the harbour, the ferries and the weather on the coast.",
            timestamp = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(batch * BatchSize + i),
        }).ToArray(),
    };

    /// <summary>Asserts every acknowledged batch is stored whole and no batch is stored in part.</summary>
    /// <returns>The number of stored turns.</returns>
    public static async Task<int> AssertStoredAsync(Uri address, string key, IEnumerable<int> acknowledged)
    {
        using var reader = KeyedClient(address, key);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        for (var agent = 0; agent < Agents; agent++)
        {
            var response = await reader.GetAsync($"/v1/agents/agent-{agent}/turns");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                continue;
            }

            response.EnsureSuccessStatusCode();
            var turns = await response.Content.ReadFromJsonAsync<JsonElement>();
            foreach (var turn in turns.GetProperty("turns").EnumerateArray())
            {
                stored.Add(turn.GetProperty("id").GetString()!);
            }
        }

        foreach (var batch in acknowledged)
        {
            var missing = Enumerable.Range(0, BatchSize).Count(i => !stored.Contains($"b{batch}-{i}"));
            Assert.True(missing == 0, $"acknowledged batch {batch} lost {missing} turns");
        }

        foreach (var group in stored.GroupBy(id => id[..id.IndexOf('-', StringComparison.Ordinal)]))
        {
            Assert.True(group.Count() == BatchSize, $"batch {group.Key} is half-written: {group.Count()} of {BatchSize} turns");
        }

        return stored.Count;
    }

    public static HttpClient KeyedClient(Uri address, string key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public static async Task<string> CreateTenantKeyAsync(Uri address)
    {
        using var admin = KeyedClient(address, AdminKey);
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "durable" })).EnsureSuccessStatusCode();
        var created = await admin.PostAsJsonAsync("/v1/admin/tenants/durable/keys", new { name = "writer" });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }
}
