using MemoryFabric.Evaluation.Metrics;

namespace MemoryFabric.Evaluation.Tests.Metrics;

public class PercentilesTests
{
    [Fact]
    public void Nearest_rank_on_a_small_sample()
    {
        double[] values = [15, 20, 35, 40, 50];

        Assert.Equal(35, Percentiles.NearestRank(values, 50));
        Assert.Equal(20, Percentiles.NearestRank(values, 30));
        Assert.Equal(20, Percentiles.NearestRank(values, 40));
        Assert.Equal(50, Percentiles.NearestRank(values, 99));
        Assert.Equal(50, Percentiles.NearestRank(values, 100));
        Assert.Equal(15, Percentiles.NearestRank(values, 1));
    }

    [Fact]
    public void Order_of_the_input_does_not_matter()
    {
        Assert.Equal(3, Percentiles.NearestRank([5, 1, 4, 2, 3], 50));
    }

    [Fact]
    public void P99_of_one_hundred_values_is_the_99th()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).ToList();

        Assert.Equal(99, Percentiles.NearestRank(values, 99));
        Assert.Equal(50, Percentiles.NearestRank(values, 50));
    }

    [Fact]
    public void Empty_gives_zero_and_bad_percentiles_throw()
    {
        Assert.Equal(0, Percentiles.NearestRank([], 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.NearestRank([1], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.NearestRank([1], 101));
    }
}
