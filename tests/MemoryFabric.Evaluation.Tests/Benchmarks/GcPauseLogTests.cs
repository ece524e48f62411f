using MemoryFabric.Benchmarks.Http;

namespace MemoryFabric.Evaluation.Tests.Benchmarks;

/// <summary>The pause log of <c>memfab bench http</c> hears the runtime's collections.</summary>
public sealed class GcPauseLogTests
{
    [Fact]
    public async Task Every_forced_collection_is_recorded_as_a_pause()
    {
        var log = new GcPauseLog();
        await Task.Delay(200); // the runtime's listener session starts
        var before = GC.CollectionCount(0);
        for (var i = 0; i < 5; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        }

        var collections = GC.CollectionCount(0) - before;
        await log.DisposeAsync();

        var summary = log.Summarize(longMs: 25);
        Assert.True(summary.Count >= collections, $"{summary.Count} pauses recorded for {collections} collections");
        Assert.All(log.PausesMs, p => Assert.True(p >= 0));
        Assert.Equal(log.PausesMs.Max(), summary.MaxMs, 1);
        Assert.Equal(log.PausesMs.Count(p => p >= 25), summary.LongCount);
        Assert.Equal(25, summary.LongMs);
    }

    [Fact]
    public async Task Nothing_is_recorded_after_the_log_is_closed()
    {
        var log = new GcPauseLog();
        await log.DisposeAsync();
        var count = log.PausesMs.Count;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        await Task.Delay(500);
        Assert.Equal(count, log.PausesMs.Count);
    }
}
