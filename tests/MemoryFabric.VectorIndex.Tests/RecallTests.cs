namespace MemoryFabric.VectorIndex.Tests;

public sealed class RecallTests
{
    [Theory]
    [InlineData(VectorStorage.InMemory)]
    [InlineData(VectorStorage.MappedFile)]
    [InlineData(VectorStorage.Quantized)]
    public void Clustered_data_reaches_the_recall_floor(VectorStorage storage)
    {
        using var temp = new TempDirectory();
        var (data, queries) = TestData.Clustered(5000, 200, 64, 100, seed: 1);
        using var shard = TestData.Build(data, TestData.Options(64, storage) with { StorageDirectory = temp.Path });

        var found = 0;
        foreach (var query in queries)
        {
            var truth = TestData.BruteForce(data, query, 10).Select(t => TestData.Key(t.Index)).ToHashSet();
            var hits = shard.Search(query, 10, efSearch: 64);
            Assert.Equal(10, hits.Count);
            found += hits.Count(h => truth.Contains(h.Key));
        }

        var recall = found / (double)(queries.Length * 10);
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F3}");
    }

    [Fact]
    public void Scores_are_exact_and_descending()
    {
        var data = TestData.Random(1000, 32, seed: 3);
        using var shard = TestData.Build(data, TestData.Options(32));
        var query = TestData.Random(1, 32, seed: 4)[0];
        var hits = shard.Search(query, 20, efSearch: 200);
        Assert.Equal(20, hits.Count);
        for (var i = 0; i < hits.Count; i++)
        {
            var expected = TestData.Dot(data[TestData.IndexOf(hits[i].Key)], query);
            Assert.Equal(expected, hits[i].Score, 1e-4f);
            if (i > 0)
            {
                Assert.True(hits[i - 1].Score >= hits[i].Score);
            }
        }

        Assert.Equal(hits.Count, hits.Select(h => h.Key).Distinct().Count());
    }

    [Fact]
    public void Exact_search_matches_brute_force()
    {
        var data = TestData.Random(500, 24, seed: 5);
        using var shard = TestData.Build(data, TestData.Options(24));
        var query = TestData.Random(1, 24, seed: 6)[0];
        var expected = TestData.BruteForce(data, query, 10).Select(t => TestData.Key(t.Index)).ToList();
        Assert.Equal(expected, shard.SearchExact(query, 10).Select(h => h.Key).ToList());
    }

    [Fact]
    public void Small_and_empty_shards_answer()
    {
        using var shard = new VectorShard(TestData.Options(8));
        var query = TestData.Random(1, 8, seed: 7)[0];
        Assert.Empty(shard.Search(query, 5));
        shard.Upsert("a", query);
        var hits = shard.Search(query, 5);
        Assert.Single(hits);
        Assert.Equal("a", hits[0].Key);
        Assert.Equal(1f, hits[0].Score, 1e-5f);
    }

    [Fact]
    public void Cosine_normalizes_and_inner_product_does_not()
    {
        using var cosine = new VectorShard(TestData.Options(2));
        cosine.Upsert("x", [3f, 0f]);
        Assert.Equal(1f, cosine.Search([2f, 0f], 1)[0].Score, 1e-6f);

        using var inner = new VectorShard(TestData.Options(2) with { Metric = VectorMetric.InnerProduct });
        inner.Upsert("x", [3f, 0f]);
        Assert.Equal(6f, inner.Search([2f, 0f], 1)[0].Score, 1e-5f);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        using var shard = new VectorShard(TestData.Options(4));
        Assert.Throws<ArgumentException>(() => shard.Upsert("a", new float[3]));
        Assert.Throws<ArgumentException>(() => shard.Upsert("a", new float[4]));
        Assert.Throws<ArgumentException>(() => shard.Upsert("a", [1, float.NaN, 0, 0]));
        Assert.Throws<ArgumentException>(() => shard.Upsert(string.Empty, [1, 0, 0, 0]));
        Assert.Throws<ArgumentException>(() => shard.Upsert(new string('x', 3000), [1, 0, 0, 0]));
        Assert.Throws<ArgumentException>(() => shard.Search(new float[5], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorShard(TestData.Options(4) with { M = 1 }));
    }
}
