using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Serialization;
using MemoryFabric.Server.Tests.Support;
using MemoryFabric.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Durability;

/// <summary>A full disk, for real as SQLite sees it: the database capped at its current size (<c>max_page_count</c>,
/// a true <c>SQLITE_FULL</c>) while batches of turns are written. Writes answer 507 problem+json and never 500,
/// <c>/readyz</c> answers 503 naming <c>storage-full</c> while <c>/healthz</c> stays 200 and reads work, the gauge says
/// 1; once the cap is lifted writes succeed without a restart and readiness returns; after a restart every
/// acknowledged batch is there whole and no refused one in part.</summary>
public sealed class StorageFullTests : IDisposable
{
    private const int BatchSize = 20;
    private const int Agents = 3;

    private readonly string _data = Path.Combine(Path.GetTempPath(), "mf-full-" + Guid.NewGuid().ToString("N"));

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

    [Fact]
    public async Task A_full_disk_answers_507_reports_not_ready_keeps_reads_and_recovers_without_a_restart_losing_nothing()
    {
        var acknowledged = new List<int>();
        var refused = new List<int>();
        var next = 0;
        string key;
        using (var factory = Server())
        {
            using var client = await factory.CreateTenantClientAsync("acme");
            key = client.DefaultRequestHeaders.Authorization!.Parameter!;
            using var anonymous = factory.CreateClient();
            for (var i = 0; i < 6; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await WriteAsync(client, next++, acknowledged, refused));
            }

            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);

            // The disk is full: the database may not grow past its current size.
            var store = factory.Services.GetRequiredService<SqliteActorStore>();
            await store.SetMaxDatabaseSizeAsync(1);
            HttpResponseMessage? lastRefusal = null;
            var readinessWhileFull = new List<HttpResponseMessage>();
            for (var attempt = 0; attempt < 400 && refused.Count < 5; attempt++)
            {
                var batch = next++;
                var response = await client.PostAsJsonAsync($"/v1/agents/{AgentOf(batch)}/turns", Batch(batch), MemoryFabricJson.Options);
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.InsufficientStorage, $"batch {batch}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                (response.StatusCode == HttpStatusCode.OK ? acknowledged : refused).Add(batch);
                if (response.StatusCode == HttpStatusCode.InsufficientStorage)
                {
                    // Right after a refusal (writes that still fit in pages a compaction freed may succeed in between,
                    // and clear the condition 5 s after the last refusal: StorageFullMonitor.ClearAfter).
                    lastRefusal = response;
                    readinessWhileFull.Add(await anonymous.GetAsync("/readyz"));
                }
            }

            Assert.True(refused.Count >= 5, $"the capped database refused {refused.Count} batches");
            Assert.Equal(1, StorageFullGauge(factory));
            Assert.Equal("application/problem+json", lastRefusal!.Content.Headers.ContentType?.MediaType);
            var problem = await lastRefusal.Content.ReadFromJsonAsync<JsonElement>();
            Assert.EndsWith("/storage-full", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
            Assert.Equal(507, problem.GetProperty("status").GetInt32());
            Assert.Contains("nothing of this request was stored", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

            // Not ready while full (naming why), alive, readable; the gauge says so.
            foreach (var ready in readinessWhileFull)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
                var readiness = await ready.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Contains("storage-full", readiness.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
                Assert.Contains("Storage is full", readiness.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
            var stored = await StoredTurnIdsAsync(client);
            Assert.Contains($"b{acknowledged[0]}-0", stored);
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/v1/agents/{AgentOf(0)}/search", new { query = "harbour ferries" }, MemoryFabricJson.Options)).StatusCode);

            // Space returns: writes succeed again without a restart, and readiness follows.
            await store.SetMaxDatabaseSizeAsync(null);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await WriteAsync(client, next++, acknowledged, refused));
            }

            // Ready again once no write was refused for 5 s (StorageFullMonitor.ClearAfter: no flapping near the limit).
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await anonymous.GetAsync("/readyz")).StatusCode != HttpStatusCode.OK)
            {
                Assert.True(DateTime.UtcNow < deadline, "not ready 30 s after space returned");
                await Task.Delay(200);
            }

            Assert.Equal(0, StorageFullGauge(factory));
        }

        // After a restart: every acknowledged batch whole, nothing of a refused one.
        using (var restarted = Server())
        {
            using var client = restarted.CreateClient(key);
            var stored = await StoredTurnIdsAsync(client);
            foreach (var batch in acknowledged)
            {
                var missing = Enumerable.Range(0, BatchSize).Count(i => !stored.Contains($"b{batch}-{i}"));
                Assert.True(missing == 0, $"acknowledged batch {batch} lost {missing} turns");
            }

            foreach (var batch in refused)
            {
                Assert.DoesNotContain(stored, id => id.StartsWith($"b{batch}-", StringComparison.Ordinal));
            }

            Assert.Equal(acknowledged.Count * BatchSize, stored.Count);
        }
    }

    private FabricServerFactory Server() => new(new Dictionary<string, string?> { ["MemoryFabric:DataDirectory"] = _data });

    private static string AgentOf(int batch) => $"agent-{batch % Agents}";

    // Long turns, so that the database grows by pages with every batch.
    private static object Batch(int batch) => new
    {
        turns = Enumerable.Range(0, BatchSize).Select(i => new
        {
            id = $"b{batch}-{i}",
            sessionId = $"session-{batch}",
            speaker = i % 2 == 0 ? "Alice" : "Bob",
            text = $"Batch {batch} line {i}: " + string.Concat(Enumerable.Repeat("we talked about the harbour, the ferries and the weather on the coast. ", 8)),
            timestamp = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(batch * BatchSize + i),
        }).ToArray(),
    };

    private static async Task<HttpStatusCode> WriteAsync(HttpClient client, int batch, List<int> acknowledged, List<int> refused)
    {
        var response = await client.PostAsJsonAsync($"/v1/agents/{AgentOf(batch)}/turns", Batch(batch), MemoryFabricJson.Options);
        (response.StatusCode == HttpStatusCode.OK ? acknowledged : refused).Add(batch);
        return response.StatusCode;
    }

    private static async Task<HashSet<string>> StoredTurnIdsAsync(HttpClient client)
    {
        var stored = new HashSet<string>(StringComparer.Ordinal);
        for (var agent = 0; agent < Agents; agent++)
        {
            var response = await client.GetAsync($"/v1/agents/agent-{agent}/turns");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            foreach (var turn in (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("turns").EnumerateArray())
            {
                stored.Add(turn.GetProperty("id").GetString()!);
            }
        }

        return stored;
    }

    // The gauge of this server's own meters (a listener on its IMeterFactory): in a test process that runs many servers,
    // the exporter at /metrics sees every server's meters of the same name (meters are process-wide), so its
    // exposition of this gauge is not this server's alone; scripts/full-disk.sh reads /metrics of a real process.
    private static int StorageFullGauge(FabricServerFactory factory)
    {
        var meters = factory.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        int? value = null;
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "memoryfabric.storage.full" && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.True(value.HasValue, "the server has no memoryfabric.storage.full gauge");
        return value.Value;
    }
}
