using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using MemoryFabric.Serialization;
using MemoryFabric.Server.Tests.Support;
using static MemoryFabric.Server.Tests.Durability.DurableBatches;

namespace MemoryFabric.Server.Tests.Durability;

public sealed class KillTests : IDisposable
{
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

                using var client = KeyedClient(server.Address, key);
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var batch = Interlocked.Increment(ref next);
                        attempted.Add(batch);
                        try
                        {
                            var response = await client.PostAsJsonAsync($"/v1/agents/{AgentOf(batch)}/turns", Batch(batch), MemoryFabricJson.Options);
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
}
