namespace MemoryFabric.VectorIndex.Tests;

public sealed class FilterTests
{
    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // 4,000 items: agent "rare" owns 1% (selective), agents "a" and "b" split the rest; kinds alternate; one item per hour.
    private static readonly (float[][] Data, float[][] Queries) Set = TestData.Clustered(4000, 50, 48, 80, seed: 21);

    // Scan below 500 estimated matches (the default 2,000 would scan everything at this size).
    private static readonly VectorShardOptions Options = TestData.Options(48) with { FilterExactScanMaxMatches = 500 };

    private static VectorItemMetadata MetadataOf(int i) => new(
        i % 100 == 7 ? "rare" : (i % 2 == 0 ? "a" : "b"),
        i % 3 == 0 ? "note" : "turn",
        Epoch.AddHours(i));

    [Fact]
    public void A_selective_filter_is_answered_exactly()
    {
        using var shard = TestData.Build(Set.Data, Options, MetadataOf);
        var filter = VectorFilter.ForAgent("rare");
        foreach (var query in Set.Queries)
        {
            var hits = shard.Search(query, 10, filter, efSearch: 16, out var path);
            Assert.Equal(SearchPath.ExactScan, path);
            var expected = TestData.BruteForce(Set.Data, query, 10, i => MetadataOf(i).AgentId == "rare").Select(t => TestData.Key(t.Index));
            Assert.Equal(expected, hits.Select(h => h.Key));
        }
    }

    [Fact]
    public void A_narrow_time_range_is_answered_exactly()
    {
        using var shard = TestData.Build(Set.Data, Options, MetadataOf);
        var filter = new VectorFilter { From = Epoch.AddHours(1000), To = Epoch.AddHours(1030) };
        var hits = shard.Search(Set.Queries[0], 10, filter, null, out var path);
        Assert.Equal(SearchPath.ExactScan, path);
        var expected = TestData.BruteForce(Set.Data, Set.Queries[0], 10, i => i >= 1000 && i < 1030).Select(t => TestData.Key(t.Index));
        Assert.Equal(expected, hits.Select(h => h.Key));
    }

    [Fact]
    public void A_broad_filter_walks_the_graph_and_keeps_recall()
    {
        using var shard = TestData.Build(Set.Data, Options, MetadataOf);
        var filter = new VectorFilter { AgentIds = ["a"], Kinds = ["note", "turn"] };
        var found = 0;
        foreach (var query in Set.Queries)
        {
            var hits = shard.Search(query, 10, filter, efSearch: 64, out var path);
            Assert.Equal(SearchPath.FilteredGraph, path);
            Assert.Equal(10, hits.Count);
            Assert.All(hits, h => Assert.Equal("a", MetadataOf(TestData.IndexOf(h.Key)).AgentId));
            var expected = TestData.BruteForce(Set.Data, query, 10, i => MetadataOf(i).AgentId == "a").Select(t => TestData.Key(t.Index)).ToHashSet();
            found += hits.Count(h => expected.Contains(h.Key));
        }

        var recall = found / (double)(Set.Queries.Length * 10);
        Assert.True(recall >= 0.9, $"filtered recall@10 = {recall:F3}");
    }

    [Fact]
    public void Combined_conditions_match_the_reference_semantics()
    {
        using var shard = TestData.Build(Set.Data, Options, MetadataOf);
        var filter = new VectorFilter { AgentIds = ["b", "rare"], Kinds = ["note"], From = Epoch.AddHours(500), To = Epoch.AddHours(3500) };
        foreach (var query in Set.Queries.Take(10))
        {
            var exact = shard.SearchExact(query, 10, filter).Select(h => h.Key).ToList();
            var expected = TestData.BruteForce(Set.Data, query, 10, i => filter.Matches(MetadataOf(i))).Select(t => TestData.Key(t.Index)).ToList();
            Assert.Equal(expected, exact);
            var hits = shard.Search(query, 10, filter, efSearch: 64);
            Assert.All(hits, h => Assert.True(filter.Matches(MetadataOf(TestData.IndexOf(h.Key)))));
            Assert.True(hits.Count(h => expected.Contains(h.Key)) >= 8);
        }
    }

    [Fact]
    public void Filters_that_match_nothing_or_few_return_what_exists()
    {
        using var shard = TestData.Build(Set.Data.Take(300).ToArray(), Options, MetadataOf);
        Assert.Empty(shard.Search(Set.Queries[0], 5, VectorFilter.ForAgent("nobody")));
        Assert.Empty(shard.Search(Set.Queries[0], 5, new VectorFilter { From = Epoch.AddYears(10) }));
        Assert.Empty(shard.Search(Set.Queries[0], 5, new VectorFilter { From = Epoch.AddHours(5), To = Epoch.AddHours(5) }));
        var rare = shard.Search(Set.Queries[0], 10, VectorFilter.ForAgent("rare"));
        Assert.Equal(3, rare.Count); // items 7, 107, 207
        Assert.Equal(["item-107", "item-207", "item-7"], rare.Select(h => h.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Items_without_a_timestamp_never_match_a_time_range()
    {
        using var shard = new VectorShard(TestData.Options(4));
        shard.Upsert("timeless", [1, 0, 0, 0]);
        shard.Upsert("dated", [0.9f, 0.1f, 0, 0], new VectorItemMetadata(Timestamp: Epoch));
        var hits = shard.Search([1, 0, 0, 0], 5, new VectorFilter { From = Epoch.AddDays(-1) });
        Assert.Equal(["dated"], hits.Select(h => h.Key));
        Assert.True(shard.TryGetMetadata("dated", out var metadata));
        Assert.Equal(Epoch, metadata.Timestamp);
    }

    [Fact]
    public void The_graph_path_falls_back_to_a_scan_when_few_items_are_reachable()
    {
        // Half the items belong to "x", but all but three of those are deleted: counts say 3, the scan answers exactly.
        var data = Set.Data.Take(2000).ToArray();
        using var shard = TestData.Build(data, TestData.Options(48) with { FilterExactScanMaxMatches = 0, FilterExactScanRatio = 0 }, i => new VectorItemMetadata(i % 2 == 0 ? "x" : "y"));
        for (var i = 6; i < data.Length; i += 2)
        {
            shard.Delete(TestData.Key(i));
        }

        var hits = shard.Search(Set.Queries[0], 10, VectorFilter.ForAgent("x"));
        Assert.Equal(["item-0", "item-2", "item-4"], hits.Select(h => h.Key).Order(StringComparer.Ordinal));
    }
}
