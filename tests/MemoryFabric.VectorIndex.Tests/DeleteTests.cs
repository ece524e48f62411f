namespace MemoryFabric.VectorIndex.Tests;

public sealed class DeleteTests
{
    private static readonly (float[][] Data, float[][] Queries) Set = TestData.Clustered(3000, 40, 32, 60, seed: 31);

    [Fact]
    public void Deleted_items_are_never_returned()
    {
        using var shard = TestData.Build(Set.Data, TestData.Options(32));
        var deleted = Enumerable.Range(0, Set.Data.Length).Where(i => i % 3 == 0).Select(TestData.Key).ToHashSet();
        foreach (var key in deleted)
        {
            Assert.True(shard.Delete(key));
        }

        Assert.False(shard.Delete(TestData.Key(0)));
        Assert.False(shard.Delete("never-there"));
        Assert.Equal(2000, shard.Count);
        Assert.Equal(1000, shard.TombstoneCount);
        Assert.False(shard.Contains(TestData.Key(0)));
        Assert.True(shard.Contains(TestData.Key(1)));

        var found = 0;
        foreach (var query in Set.Queries)
        {
            var hits = shard.Search(query, 10, efSearch: 64);
            Assert.Equal(10, hits.Count);
            Assert.DoesNotContain(hits, h => deleted.Contains(h.Key));
            var expected = TestData.BruteForce(Set.Data, query, 10, i => i % 3 != 0).Select(t => TestData.Key(t.Index)).ToHashSet();
            found += hits.Count(h => expected.Contains(h.Key));
            Assert.Equal(expected, shard.SearchExact(query, 10).Select(h => h.Key).ToHashSet());
        }

        Assert.True(found / (double)(Set.Queries.Length * 10) >= 0.9);
    }

    [Fact]
    public void Upsert_replaces_the_vector_and_metadata()
    {
        using var shard = TestData.Build(Set.Data.Take(500).ToArray(), TestData.Options(32));
        var target = Set.Queries[0];
        shard.Upsert(TestData.Key(3), target, new VectorItemMetadata("agent-9", "note"));
        Assert.Equal(500, shard.Count);
        Assert.Equal(1, shard.TombstoneCount);
        var hits = shard.Search(target, 3);
        Assert.Equal(TestData.Key(3), hits[0].Key);
        Assert.Equal(1f, hits[0].Score, 1e-5f);
        Assert.Single(hits, h => h.Key == TestData.Key(3));
        Assert.True(shard.TryGetMetadata(TestData.Key(3), out var metadata));
        Assert.Equal("agent-9", metadata.AgentId);

        // The same upsert again changes nothing.
        shard.Upsert(TestData.Key(3), target, new VectorItemMetadata("agent-9", "note"));
        Assert.Equal(1, shard.TombstoneCount);
    }

    [Fact]
    public void A_deleted_key_can_come_back()
    {
        using var shard = TestData.Build(Set.Data.Take(200).ToArray(), TestData.Options(32));
        Assert.True(shard.Delete(TestData.Key(5)));
        Assert.False(shard.Contains(TestData.Key(5)));
        shard.Upsert(TestData.Key(5), Set.Data[5]);
        Assert.True(shard.Contains(TestData.Key(5)));
        Assert.Equal(200, shard.Count);
        Assert.Equal(TestData.Key(5), shard.Search(Set.Data[5], 1)[0].Key);
    }

    [Fact]
    public void Compaction_drops_tombstones_and_keeps_every_live_item()
    {
        using var temp = new TempDirectory();
        using var shard = TestData.Build(Set.Data, TestData.Options(32, VectorStorage.MappedFile) with { StorageDirectory = temp.Path, CompactionThreshold = 0.25 });
        for (var i = 0; i < Set.Data.Length; i += 2)
        {
            shard.Delete(TestData.Key(i));
        }

        Assert.True(shard.NeedsCompaction);
        shard.Compact();
        Assert.False(shard.NeedsCompaction);
        Assert.Equal(1500, shard.Count);
        Assert.Equal(0, shard.TombstoneCount);
        var keys = shard.EnumerateItems().Select(item => item.Key).ToList();
        Assert.Equal(1500, keys.Count);
        Assert.Equal(Enumerable.Range(0, Set.Data.Length).Where(i => i % 2 == 1).Select(TestData.Key), keys);

        var found = 0;
        foreach (var query in Set.Queries)
        {
            var expected = TestData.BruteForce(Set.Data, query, 10, i => i % 2 == 1).Select(t => TestData.Key(t.Index)).ToHashSet();
            found += shard.Search(query, 10, efSearch: 64).Count(h => expected.Contains(h.Key));
        }

        Assert.True(found / (double)(Set.Queries.Length * 10) >= 0.95);

        // Writes continue on the new generation.
        shard.Upsert("new", Set.Queries[0]);
        Assert.Equal("new", shard.Search(Set.Queries[0], 1)[0].Key);
    }
}
