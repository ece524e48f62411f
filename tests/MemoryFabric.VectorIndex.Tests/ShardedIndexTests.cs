using System.Collections.Concurrent;

namespace MemoryFabric.VectorIndex.Tests;

public sealed class ShardedIndexTests
{
    private static readonly (float[][] Data, float[][] Queries) Set = TestData.Clustered(3000, 40, 32, 60, seed: 61);

    private static ShardedIndexOptions Options(int shards, int threshold) => new()
    {
        Shard = TestData.Options(32) with { EfConstruction = 64 },
        ShardCount = shards,
        SplitThreshold = threshold,
    };

    [Fact]
    public void Splitting_loses_and_duplicates_nothing()
    {
        using var index = new ShardedIndex(Options(2, 600));
        for (var i = 0; i < Set.Data.Length; i++)
        {
            index.Upsert(TestData.Key(i), Set.Data[i], new VectorItemMetadata(i % 2 == 0 ? "even" : "odd"));
        }

        var shards = index.GetShards();
        Assert.True(shards.Count >= 6, $"{shards.Count} shards");
        Assert.All(shards, s => Assert.InRange(s.Count, 1, 600));
        Assert.Equal(Set.Data.Length, shards.Sum(s => s.Count));
        Assert.Equal(Set.Data.Length, index.Count);
        Assert.Equal(shards.Count, shards.Select(s => s.Name).Distinct().Count());

        for (var i = 0; i < Set.Data.Length; i++)
        {
            Assert.True(index.Contains(TestData.Key(i)));
            Assert.True(index.TryGetMetadata(TestData.Key(i), out var metadata));
            Assert.Equal(i % 2 == 0 ? "even" : "odd", metadata.AgentId);
        }

        // Every item is found by its own vector, exactly once.
        for (var i = 0; i < Set.Data.Length; i += 7)
        {
            var hits = index.SearchExact(Set.Data[i], 5);
            Assert.Equal(TestData.Key(i), hits[0].Key);
            Assert.Equal(hits.Count, hits.Select(h => h.Key).Distinct().Count());
        }
    }

    [Fact]
    public void The_merge_of_shard_results_is_exact()
    {
        using var index = new ShardedIndex(Options(4, 100_000));
        for (var i = 0; i < Set.Data.Length; i++)
        {
            index.Upsert(TestData.Key(i), Set.Data[i]);
        }

        var found = 0;
        foreach (var query in Set.Queries)
        {
            var expected = TestData.BruteForce(Set.Data, query, 10).Select(t => TestData.Key(t.Index)).ToList();
            Assert.Equal(expected, index.SearchExact(query, 10).Select(h => h.Key).ToList());
            var hits = index.Search(query, 10, efSearch: 64);
            found += hits.Count(h => expected.Contains(h.Key));
            Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        }

        Assert.True(found / (double)(Set.Queries.Length * 10) >= 0.95);
    }

    [Fact]
    public void Deletes_and_replacements_route_to_the_same_shard()
    {
        using var index = new ShardedIndex(Options(3, 100_000));
        for (var i = 0; i < 500; i++)
        {
            index.Upsert(TestData.Key(i), Set.Data[i]);
        }

        index.Upsert(TestData.Key(10), Set.Queries[0]);
        Assert.Equal(500, index.Count);
        Assert.Equal(TestData.Key(10), index.Search(Set.Queries[0], 1)[0].Key);
        Assert.True(index.Delete(TestData.Key(10)));
        Assert.False(index.Contains(TestData.Key(10)));
        Assert.Equal(499, index.Count);
    }

    [Fact]
    public async Task Readers_during_splits_never_miss_or_double_an_item()
    {
        const int BaseCount = 800;
        using var index = new ShardedIndex(Options(1, 500) with { AutoSplit = false });
        for (var i = 0; i < BaseCount; i++)
        {
            index.Upsert(TestData.Key(i), Set.Data[i]);
        }

        var failures = new ConcurrentQueue<string>();
        var done = false;
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var q = r;
            while (!Volatile.Read(ref done))
            {
                var i = (q += 2) % BaseCount;
                var hits = index.SearchExact(Set.Data[i], 10);
                if (hits.Count == 0 || hits[0].Key != TestData.Key(i))
                {
                    failures.Enqueue($"{TestData.Key(i)} missed");
                }

                if (hits.Select(h => h.Key).Distinct().Count() != hits.Count)
                {
                    failures.Enqueue("an item was returned twice");
                }
            }
        })).ToArray();

        for (var i = BaseCount; i < Set.Data.Length; i++)
        {
            index.Upsert(TestData.Key(i), Set.Data[i]);
            if (i % 400 == 0)
            {
                index.Maintain();
            }
        }

        index.Maintain();
        Volatile.Write(ref done, true);
        await Task.WhenAll(readers);
        Assert.True(failures.IsEmpty, string.Join("; ", failures.Take(10)));
        Assert.True(index.ShardCount >= 6);
        Assert.Equal(Set.Data.Length, index.Count);
    }

    [Fact]
    public void Save_and_load_round_trip()
    {
        using var temp = new TempDirectory();
        var options = Options(2, 700);
        using var index = new ShardedIndex(options);
        for (var i = 0; i < 2000; i++)
        {
            index.Upsert(TestData.Key(i), Set.Data[i]);
        }

        index.Save(temp.Path);
        using var loaded = ShardedIndex.Load(temp.Path, options);
        Assert.Equal(index.GetShards(), loaded.GetShards());
        foreach (var query in Set.Queries)
        {
            Assert.Equal(index.Search(query, 10), loaded.Search(query, 10));
        }

        // Routing survives the round trip: writes land where the key lives.
        loaded.Upsert(TestData.Key(5), Set.Queries[3]);
        Assert.Equal(2000, loaded.Count);

        var manifest = Path.Combine(temp.Path, "manifest.mfsi");
        var bytes = File.ReadAllBytes(manifest);
        bytes[^12] ^= 1;
        File.WriteAllBytes(manifest, bytes);
        Assert.Throws<VectorSnapshotException>(() => ShardedIndex.Load(temp.Path, options));
    }
}
