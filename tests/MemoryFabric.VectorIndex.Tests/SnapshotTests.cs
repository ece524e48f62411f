using System.Diagnostics;
using Xunit.Abstractions;

namespace MemoryFabric.VectorIndex.Tests;

public sealed class SnapshotTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Epoch = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly (float[][] Data, float[][] Queries) Set = TestData.Clustered(3000, 30, 64, 60, seed: 41);

    private static VectorItemMetadata MetadataOf(int i) => new($"agent-{i % 7}", i % 2 == 0 ? "note" : "turn", i % 5 == 0 ? null : Epoch.AddMinutes(i));

    [Theory]
    [InlineData(VectorStorage.MappedFile)]
    [InlineData(VectorStorage.InMemory)]
    public void Round_trip_gives_the_same_index(VectorStorage storage)
    {
        using var temp = new TempDirectory();
        var options = TestData.Options(64, storage) with { StorageDirectory = temp.Path };
        var watch = Stopwatch.StartNew();
        using var original = TestData.Build(Set.Data, options, MetadataOf);
        var buildSeconds = watch.Elapsed.TotalSeconds;
        for (var i = 0; i < 300; i += 3)
        {
            original.Delete(TestData.Key(i));
        }

        original.Upsert(TestData.Key(1), Set.Queries[0], MetadataOf(1));
        var path = Path.Combine(temp.Path, "shard.mfvs");
        original.Save(path);
        watch.Restart();
        using var loaded = VectorShard.Load(path, options);
        var loadSeconds = watch.Elapsed.TotalSeconds;
        output.WriteLine($"build {buildSeconds:F3} s, load {loadSeconds:F4} s: build / load = {buildSeconds / loadSeconds:F0}× ({storage})");

        Assert.Equal(original.Count, loaded.Count);
        Assert.Equal(original.TombstoneCount, loaded.TombstoneCount);
        var filter = new VectorFilter { AgentIds = ["agent-3"], From = Epoch };
        foreach (var query in Set.Queries)
        {
            Assert.Equal(original.Search(query, 10, efSearch: 40), loaded.Search(query, 10, efSearch: 40));
            Assert.Equal(original.Search(query, 10, filter), loaded.Search(query, 10, filter));
        }

        Assert.True(loaded.TryGetMetadata(TestData.Key(10), out var metadata));
        Assert.Equal(MetadataOf(10), metadata);
        Assert.False(loaded.Contains(TestData.Key(3)));
        Assert.Equal(original.EnumerateItems().Select(i => i.Key), loaded.EnumerateItems().Select(i => i.Key));

        // The loaded shard takes writes (appending after the mapped vectors) and saves again.
        loaded.Upsert("after-load", Set.Queries[1], new VectorItemMetadata("agent-new"));
        loaded.Delete(TestData.Key(2));
        Assert.Equal("after-load", loaded.Search(Set.Queries[1], 1)[0].Key);
        loaded.Save(path);
        using var again = VectorShard.Load(path, options);
        Assert.Equal(loaded.Count, again.Count);
        Assert.Equal("after-load", again.Search(Set.Queries[1], 1, VectorFilter.ForAgent("agent-new"))[0].Key);
    }

    [Fact]
    public void An_empty_shard_round_trips()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "empty.mfvs");
        using (var shard = new VectorShard(TestData.Options(16)))
        {
            shard.Save(path);
        }

        using var loaded = VectorShard.Load(path);
        Assert.Equal(0, loaded.Count);
        Assert.Empty(loaded.Search(new float[16] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 3));
    }

    [Fact]
    public void Every_corrupted_byte_region_is_detected()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "shard.mfvs");
        using (var shard = TestData.Build(Set.Data.Take(500).ToArray(), TestData.Options(64), MetadataOf))
        {
            shard.Save(path);
        }

        var original = File.ReadAllBytes(path);
        var random = new Random(5);
        var appended = Path.Combine(temp.Path, "appended.mfvs");
        File.WriteAllBytes(appended, [.. original, 0]);
        Assert.Contains("after its last section", Assert.Throws<VectorSnapshotException>(() => VectorShard.Load(appended)).Message, StringComparison.Ordinal);
        // The header, the section table, and bytes spread over every section (the file is mostly sections).
        var positions = new List<int> { 0, 9, 20, 40, 130, 200, 400 };
        positions.AddRange(Enumerable.Range(0, 60).Select(_ => random.Next(500, original.Length)));
        foreach (var position in positions)
        {
            var corrupted = (byte[])original.Clone();
            corrupted[position] ^= 0x5A;
            var file = Path.Combine(temp.Path, $"corrupt-{position}.mfvs");
            File.WriteAllBytes(file, corrupted);
            var error = Assert.Throws<VectorSnapshotException>(() => VectorShard.Load(file));
            Assert.Contains(file, error.Message, StringComparison.Ordinal);
            var expected = position < 8 ? "not a MemoryFabric vector shard snapshot" : position < 12 ? "is not supported" : "corrupted";
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Truncated_snapshots_are_detected()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "shard.mfvs");
        using (var shard = TestData.Build(Set.Data.Take(500).ToArray(), TestData.Options(64), MetadataOf))
        {
            shard.Save(path);
        }

        var original = File.ReadAllBytes(path);
        foreach (var length in new[] { 0, 4, 8, 100, 480, 1000, original.Length / 2, original.Length - 4096, original.Length - 1 })
        {
            var file = Path.Combine(temp.Path, $"truncated-{length}.mfvs");
            File.WriteAllBytes(file, original.AsSpan(0, length).ToArray());
            var error = Assert.Throws<VectorSnapshotException>(() => VectorShard.Load(file));
            Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Foreign_files_and_other_versions_are_refused_clearly()
    {
        using var temp = new TempDirectory();
        var foreign = Path.Combine(temp.Path, "foreign.bin");
        File.WriteAllText(foreign, "this is not a snapshot at all, just text that is long enough to have a header");
        Assert.Contains("not a MemoryFabric vector shard snapshot", Assert.Throws<VectorSnapshotException>(() => VectorShard.Load(foreign)).Message, StringComparison.Ordinal);

        var path = Path.Combine(temp.Path, "shard.mfvs");
        using (var shard = TestData.Build(Set.Data.Take(50).ToArray(), TestData.Options(64)))
        {
            shard.Save(path);
        }

        var bytes = File.ReadAllBytes(path);
        bytes[8] = 9;
        var future = Path.Combine(temp.Path, "future.mfvs");
        File.WriteAllBytes(future, bytes);
        Assert.Contains("format version 9 is not supported", Assert.Throws<VectorSnapshotException>(() => VectorShard.Load(future)).Message, StringComparison.Ordinal);

        Assert.Throws<VectorSnapshotException>(() => VectorShard.Load(Path.Combine(temp.Path, "missing.mfvs")));
        Assert.Throws<ArgumentException>(() => VectorShard.Load(path, TestData.Options(64) with { M = 8 }));
    }

    [Fact]
    public void A_failed_save_leaves_the_previous_snapshot()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "shard.mfvs");
        using var shard = TestData.Build(Set.Data.Take(100).ToArray(), TestData.Options(64));
        shard.Save(path);
        var before = File.ReadAllBytes(path);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => shard.Save(path, cancelled.Token));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }
}
