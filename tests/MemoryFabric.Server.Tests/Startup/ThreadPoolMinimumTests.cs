using MemoryFabric.Server.Hosting;

namespace MemoryFabric.Server.Tests.Startup;

/// <summary>The thread pool's minimum of worker threads the server raises at start (MemoryFabric:MinWorkerThreads).</summary>
public sealed class ThreadPoolMinimumTests
{
    [Theory]
    [InlineData(null, 2, 32)]
    [InlineData(null, 8, 128)]
    [InlineData(0, 2, 0)]
    [InlineData(12, 2, 12)]
    public void The_setting_resolves_to_a_minimum(int? configured, int cores, int expected) =>
        Assert.Equal(expected, ThreadPoolMinimum.Resolve(configured, cores));

    [Fact]
    public void A_negative_setting_is_refused_by_name()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ThreadPoolMinimum.Resolve(-1, 2));
        Assert.Contains("MemoryFabric:MinWorkerThreads", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void It_raises_the_minimum_and_never_lowers_it()
    {
        // Above what any server of this test process sets (servers start in parallel tests): only this test goes there.
        ThreadPool.GetMinThreads(out var before, out var io);
        var target = Math.Max(before, ThreadPoolMinimum.DefaultPerCore * Environment.ProcessorCount) + 7;

        Assert.Equal(target, ThreadPoolMinimum.Raise(target));
        ThreadPool.GetMinThreads(out var raised, out var ioAfter);
        Assert.True(raised >= target, $"minimum {raised} after raising it to {target}");
        Assert.Equal(io, ioAfter);

        Assert.True(ThreadPoolMinimum.Raise(target - 1) >= target);
        Assert.True(ThreadPoolMinimum.Raise(0) >= target);
        ThreadPool.GetMinThreads(out var after, out _);
        Assert.True(after >= target, $"minimum {after} after asking for less than {target}");
    }
}
