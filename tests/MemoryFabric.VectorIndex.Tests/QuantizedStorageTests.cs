namespace MemoryFabric.VectorIndex.Tests;

/// <summary><see cref="VectorStorage.Quantized"/>: no float32 copy; re-ranking, exact scans, snapshots, compaction and
/// idempotent upserts work from the int8 codes.</summary>
public sealed class QuantizedStorageTests
{
    private const int Dimensions = 384;

    [Fact]
    public void Scores_are_the_decoded_codes_dot_the_query_within_rounding_and_no_float_copy_is_held()
    {
        var data = TestData.Random(2000, Dimensions, seed: 5);
        var queries = TestData.Random(50, Dimensions, seed: 6);
        using var shard = TestData.Build(data, TestData.Options(Dimensions, VectorStorage.Quantized));

        var worst = 0f;
        foreach (var query in queries)
        {
            var hits = shard.SearchExact(query, 10);
            Assert.Equal(10, hits.Count);
            for (var i = 0; i < hits.Count; i++)
            {
                worst = Math.Max(worst, Math.Abs(hits[i].Score - TestData.Dot(data[TestData.IndexOf(hits[i].Key)], query)));
                Assert.True(i == 0 || hits[i - 1].Score >= hits[i].Score);
            }
        }

        Assert.True(worst < 2e-3f, $"worst score error {worst}");
        var statistics = shard.GetStatistics();
        Assert.Equal(0, statistics.ResidentBreakdown["float32_vectors_in_memory"]);
        Assert.Equal(0, statistics.MappedBytes);
        using var kept = TestData.Build(data, TestData.Options(Dimensions, VectorStorage.InMemory));
        Assert.True(kept.GetStatistics().ResidentBytes - statistics.ResidentBytes >= 2000L * Dimensions * sizeof(float));
    }

    [Fact]
    public void An_identical_upsert_is_a_no_op_and_a_changed_vector_replaces_the_item()
    {
        var data = TestData.Random(100, Dimensions, seed: 7);
        using var shard = TestData.Build(data, TestData.Options(Dimensions, VectorStorage.Quantized));

        shard.Upsert(TestData.Key(3), data[3]);
        Assert.Equal(0, shard.TombstoneCount);

        shard.Upsert(TestData.Key(3), data[4]);
        Assert.Equal(1, shard.TombstoneCount);
        Assert.Equal(100, shard.Count);
        Assert.Equal(TestData.Key(3), shard.SearchExact(data[4], 2).Select(h => h.Key).Order().First());
    }

    [Theory]
    [InlineData(VectorStorage.Quantized)]
    [InlineData(VectorStorage.InMemory)]
    [InlineData(VectorStorage.MappedFile)]
    public void A_snapshot_of_a_quantized_shard_loads_with_any_storage_and_answers_the_same(VectorStorage loadAs)
    {
        using var temp = new TempDirectory();
        var (data, queries) = TestData.Clustered(3000, 30, Dimensions, 60, seed: 8);
        using var shard = TestData.Build(data, TestData.Options(Dimensions, VectorStorage.Quantized), i => new VectorItemMetadata(i % 2 == 0 ? "even" : "odd", null, null));
        var path = Path.Combine(temp.Path, "q.mfvs");
        shard.Save(path);

        using var loaded = VectorShard.Load(path, loadAs, temp.Path);
        Assert.Equal(loadAs, loaded.Options.VectorStorage);
        Assert.Equal(shard.Count, loaded.Count);
        foreach (var query in queries)
        {
            var expected = shard.Search(query, 10, efSearch: 64);
            var actual = loaded.Search(query, 10, efSearch: 64);
            Assert.Equal(expected.Select(h => h.Key), actual.Select(h => h.Key));
            Assert.All(expected.Zip(actual), p => Assert.Equal(p.First.Score, p.Second.Score, 5));
        }

        var filter = new VectorFilter { AgentIds = ["odd"] };
        Assert.All(loaded.Search(queries[0], 10, filter), h => Assert.True(TestData.IndexOf(h.Key) % 2 == 1));
    }

    [Fact]
    public void A_quantized_shard_writes_a_codes_only_snapshot_of_version_3_and_others_stay_version_2()
    {
        using var temp = new TempDirectory();
        var data = TestData.Random(1000, Dimensions, seed: 11);
        using var quantized = TestData.Build(data, TestData.Options(Dimensions, VectorStorage.Quantized));
        using var kept = TestData.Build(data, TestData.Options(Dimensions, VectorStorage.InMemory));
        var codesOnly = Path.Combine(temp.Path, "q.mfvs");
        var full = Path.Combine(temp.Path, "f.mfvs");
        quantized.Save(codesOnly);
        kept.Save(full);

        var q = File.ReadAllBytes(codesOnly);
        var f = File.ReadAllBytes(full);
        Assert.Equal(3u, BitConverter.ToUInt32(q, 8));
        Assert.Equal(1, BitConverter.ToInt32(q, 76));
        Assert.Equal(2u, BitConverter.ToUInt32(f, 8));
        Assert.True(f.Length - q.Length >= 1000L * Dimensions * sizeof(float), $"{f.Length} against {q.Length}");

        // An unknown flag is refused (the header checksum is recomputed, so only the flag is wrong).
        q[76] = 3;
        var checksumEnd = 128 + (11 * 32);
        BitConverter.GetBytes(MemoryFabric.VectorIndex.Snapshots.XxHash64.Hash(q.AsSpan(0, checksumEnd), 0x4D46_5653_4E41_5053UL)).CopyTo(q, checksumEnd);
        var bad = Path.Combine(temp.Path, "bad.mfvs");
        File.WriteAllBytes(bad, q);
        Assert.Contains("flags", Assert.Throws<VectorSnapshotException>(() => VectorShard.Load(bad)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compaction_keeps_every_live_item_and_its_codes()
    {
        var (data, queries) = TestData.Clustered(2000, 20, Dimensions, 40, seed: 9);
        using var shard = TestData.Build(data, TestData.Options(Dimensions, VectorStorage.Quantized));
        for (var i = 0; i < 500; i++)
        {
            shard.Delete(TestData.Key(i));
        }

        var before = queries.Select(q => shard.SearchExact(q, 10)).ToList();
        var items = shard.EnumerateItems().ToDictionary(i => i.Key, i => i.Vector);
        shard.Compact();

        Assert.Equal(0, shard.TombstoneCount);
        Assert.Equal(1500, shard.Count);
        var after = queries.Select(q => shard.SearchExact(q, 10)).ToList();
        Assert.Equal(before.Select(h => string.Join(',', h.Select(x => x.Key))), after.Select(h => string.Join(',', h.Select(x => x.Key))));
        // The same codes; the scale may move in its last bits (a cosine shard normalizes the decoded vector again).
        Assert.All(shard.EnumerateItems(), item => Assert.All(items[item.Key].Zip(item.Vector), p => Assert.Equal(p.First, p.Second, 1e-6f)));
    }
}
