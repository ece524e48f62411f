using MemoryFabric.Orleans.Agents;

namespace MemoryFabric.Orleans.Tests;

public sealed class DenseIndexingGateTests
{
    [Fact]
    public void Background_indexing_waits_while_the_foreground_limit_of_requests_is_in_progress()
    {
        var gate = new DenseIndexingGate(maxConcurrent: 1, foregroundLimit: 2);
        var first = gate.EnterForeground();
        using (gate.EnterForeground())
        {
            Assert.Equal(2, gate.Foreground);
            Assert.False(gate.TryEnter());
        }

        Assert.Equal(1, gate.Foreground);
        Assert.True(gate.TryEnter());
        Assert.False(gate.TryEnter()); // one embedder at a time
        gate.Exit();
        first.Dispose();
        Assert.Equal(0, gate.Foreground);
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public void Limits_below_one_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DenseIndexingGate(maxConcurrent: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DenseIndexingGate(foregroundLimit: 0));
    }
}
