using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using MemoryFabric.Serialization;
using MemoryFabric.Server.Tests.Support;
using Xunit.Abstractions;
using static MemoryFabric.Server.Tests.Durability.DurableBatches;

namespace MemoryFabric.Server.Tests.Durability;

/// <summary>SIGTERM in the middle of ingest (what Kubernetes, systemd and Ctrl+C send): readiness turns 503 at once,
/// requests in flight finish (200) or are refused (503), never a 500; the process exits within 10 s; everything
/// acknowledged is there after the restart.</summary>
public sealed class SigtermTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>How many times the embedded server is stopped with SIGTERM and started again on one data directory.</summary>
    public const int Cycles = 20;

    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(10);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "mf-sigterm-" + Guid.NewGuid().ToString("N"));

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
    public async Task Sigterm_mid_ingest_turns_readiness_off_refuses_cleanly_exits_within_10_s_and_loses_nothing_over_20_cycles()
    {
        string? key = null;
        var acknowledged = new ConcurrentBag<int>();
        var unexpected = new ConcurrentBag<string>();
        var exits = new List<double>();
        var notReady = new List<double>();
        var next = -1;
        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            var acknowledgedBefore = acknowledged.Count;
            await using var server = await ServerProcess.StartAsync(_data, AdminKey);
            key ??= await CreateTenantKeyAsync(server.Address);
            if (cycle > 0)
            {
                await AssertStoredAsync(server.Address, key, acknowledged);
            }

            using var client = KeyedClient(server.Address, key);
            var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (true)
                {
                    var batch = Interlocked.Increment(ref next);
                    try
                    {
                        var response = await client.PostAsJsonAsync($"/v1/agents/{AgentOf(batch)}/turns", Batch(batch), MemoryFabricJson.Options);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            acknowledged.Add(batch);
                        }
                        else if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                        {
                            unexpected.Add($"cycle {cycle}, batch {batch}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server has closed its listener
                    }
                    catch (TaskCanceledException)
                    {
                        return;
                    }
                }
            })).ToArray();

            while (acknowledged.Count < acknowledgedBefore + 8)
            {
                await Task.Delay(10);
            }

            // Readiness, polled from the signal on: 503 (or no listener) well before the process is gone.
            var signalled = Stopwatch.StartNew();
            var readiness = Task.Run(async () =>
            {
                using var probe = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(2) };
                // Each probe is timed from when it was sent: a 200 that was on its way when the signal came says
                // nothing about readiness after it.
                while (signalled.Elapsed < ExitLimit)
                {
                    var sent = signalled.Elapsed;
                    try
                    {
                        if ((await probe.GetAsync("/readyz")).StatusCode != HttpStatusCode.OK)
                        {
                            return sent;
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return sent;
                    }
                    catch (TaskCanceledException)
                    {
                    }

                    await Task.Delay(5);
                }

                return signalled.Elapsed;
            });
            // The exit read on the probes' clock: two clocks started a few milliseconds apart once made a probe sent
            // 2 ms before the exit look sent after it.
            var exit = await server.TerminateAsync(ExitLimit + TimeSpan.FromSeconds(20), signalled);
            await Task.WhenAll(writers);
            var off = await readiness;

            Assert.True(exit is not null, $"cycle {cycle}: the server had not exited 30 s after SIGTERM:\n{server.Output}");
            Assert.True(exit <= ExitLimit, $"cycle {cycle}: the server took {exit!.Value.TotalSeconds:F1} s to exit after SIGTERM");
            Assert.True(server.ExitCode == 0, $"cycle {cycle}: exit code {server.ExitCode}:\n{server.Output}");
            Assert.True(off <= exit, $"cycle {cycle}: /readyz still answered ready to a probe sent {off.TotalMilliseconds:F0} ms after SIGTERM, the exit came at {exit.Value.TotalMilliseconds:F0} ms");
            exits.Add(exit.Value.TotalMilliseconds);
            notReady.Add(off.TotalMilliseconds);
        }

        Assert.Empty(unexpected);
        await using var restarted = await ServerProcess.StartAsync(_data, AdminKey);
        var stored = await AssertStoredAsync(restarted.Address, key!, acknowledged);
        Assert.True(stored >= acknowledged.Count * BatchSize);
        exits.Sort();
        notReady.Sort();
        output.WriteLine($"{Cycles} SIGTERM cycles: {acknowledged.Count} batches ({acknowledged.Count * BatchSize} turns) acknowledged, all stored; " +
            $"exit after SIGTERM median {exits[exits.Count / 2]:F0} ms, max {exits[^1]:F0} ms; /readyz off after median {notReady[notReady.Count / 2]:F0} ms, max {notReady[^1]:F0} ms");
    }
}
