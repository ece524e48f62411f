using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Retrieval;

public sealed class TopKCollectorTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 3)]
    [InlineData(200, 10)]
    [InlineData(200, 200)]
    [InlineData(50, 500)]
    public void Keeps_what_a_full_sort_then_cut_keeps_in_the_same_order_ties_included(int count, int limit)
    {
        var random = new Random(count * 31 + limit);
        for (var round = 0; round < 20; round++)
        {
            // Few distinct scores, so ties are common and their order (by Order) matters.
            var items = Enumerable.Range(0, count)
                .Select(i => new ScoredKey<string>("k" + i, random.Next(0, 8) / 4.0, random.Next(0, 1000) * 1000 + i))
                .ToList();
            var collector = new TopKCollector<string>(limit);
            foreach (var item in items)
            {
                collector.Add(item);
            }

            var expected = items
                .OrderByDescending(x => x.Score)
                .ThenBy(x => x.Order)
                .Take(limit)
                .ToList();
            Assert.Equal(expected, collector.ToSortedList());
        }
    }

    [Fact]
    public void A_limit_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopKCollector<string>(0));
}
