using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Serialization;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Server.Tests.Durability;

public sealed class KillTests : IDisposable
{
    private const string AdminKey = "durability-admin";
    private const int BatchSize = 100;
    private readonly string _data = Path.Combine(Path.GetTempPath(), "mf-kill-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>How many times the embedded server is killed and restarted on the same data directory.</summary>
    public const int Cycles = 20;

    [Fact]
    public async Task Sigkill_in_the_middle_of_batches_loses_no_acknowledged_turn_and_leaves_no_half_batch_over_20_cycles()
    {
        string? key = null;
        var acknowledged = new ConcurrentBag<int>();
        var attempted = new ConcurrentBag<int>();
        var next = -1;
        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            var acknowledgedBefore = acknowledged.Count;
            var attemptedBefore = attempted.Count;
            await using (var server = await ServerProcess.StartAsync(_data, AdminKey))
            {
                key ??= await CreateTenantKeyAsync(server.Address);
                if (cycle > 0)
                {
                    // Everything acknowledged before the earlier kills is there, whole, after this restart.
                    await AssertStoredAsync(server.Address, key, acknowledged);
                }

                using var client = Client(server.Address, key);
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var batch = Interlocked.Increment(ref next);
                        attempted.Add(batch);
                        try
                        {
                            var response = await client.PostAsJsonAsync($"/v1/agents/agent-{batch % 3}/turns", Batch(batch), MemoryFabricJson.Options);
                            if (response.StatusCode == HttpStatusCode.OK)
                            {
                                acknowledged.Add(batch);
                            }
                        }
                        catch (HttpRequestException)
                        {
                            return; // the server is gone
                        }
                        catch (TaskCanceledException)
                        {
                            return;
                        }
                    }
                })).ToArray();

                // Let some batches through, then kill while requests are in flight.
                while (acknowledged.Count < acknowledgedBefore + 8)
                {
                    await Task.Delay(10);
                }

                server.Kill();
                await stop.CancelAsync();
                await Task.WhenAll(writers);
            }

            Assert.True(attempted.Count - attemptedBefore > acknowledged.Count - acknowledgedBefore, $"cycle {cycle}: the kill should have caught requests in flight");
        }

        await using var restarted = await ServerProcess.StartAsync(_data, AdminKey);
        var stored = await AssertStoredAsync(restarted.Address, key!, acknowledged);
        Assert.True(stored >= acknowledged.Count * BatchSize);
    }

    // Every acknowledged batch is stored whole, and no batch is stored in part; returns the number of stored turns.
    private static async Task<int> AssertStoredAsync(Uri address, string key, IEnumerable<int> acknowledged)
    {
        using var reader = Client(address, key);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        for (var agent = 0; agent < 3; agent++)
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

    private static object Batch(int batch) => new
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

    private static HttpClient Client(Uri address, string key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<string> CreateTenantKeyAsync(Uri address)
    {
        using var admin = Client(address, AdminKey);
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "durable" })).EnsureSuccessStatusCode();
        var created = await admin.PostAsJsonAsync("/v1/admin/tenants/durable/keys", new { name = "writer" });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }
}
