using System.Diagnostics;
using System.Globalization;
using MemoryFabric.VectorIndex;

namespace MemoryFabric.Benchmarks.Index;

/// <summary>Builds a <see cref="VectorShard"/> single-threaded, sweeps efSearch, and times a snapshot save and load. Run
/// in a process of its own (<see cref="IndexWorker"/>), its resident-set growth is measured the way the Python
/// reference measures hnswlib's and FAISS's.</summary>
internal static class MemoryFabricEngine
{
    private const double WarmUpSeconds = 1.0;

    public static EngineResult Run(VectorSet set, int[][] truth, IndexBenchmarkOptions options, string workDirectory, CancellationToken cancellationToken)
    {
        var progress = options.Progress;
        var n = set.Count;
        var keys = new string[n];
        for (var i = 0; i < n; i++)
        {
            keys[i] = Key(i);
        }

        var shardOptions = new VectorShardOptions
        {
            Dimensions = set.Dimensions,
            Metric = VectorMetric.InnerProduct,
            M = options.M,
            EfConstruction = options.EfConstruction,
            EfSearch = 64,
            VectorStorage = options.Storage,
            StorageDirectory = Path.Combine(workDirectory, "vectors"),
            Seed = options.Seed,
        };

        var heapBefore = ResidentMemory.SettleHeap();
        var rssBefore = ResidentMemory.ReadSelf();
        using var shard = new VectorShard(shardOptions);
        progress?.WriteLine($"memoryfabric: building {n} × {set.Dimensions}, M {options.M}, efConstruction {options.EfConstruction}, 1 thread (single writer), "
            + $"float32 vectors {StorageText(options.Storage)}");
        var watch = Stopwatch.StartNew();
        var lastReport = 0.0;
        for (var i = 0; i < n; i++)
        {
            shard.Upsert(keys[i], set.Row(i));
            if ((i & 1023) == 1023)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (progress is not null && watch.Elapsed.TotalSeconds - lastReport >= 5)
                {
                    lastReport = watch.Elapsed.TotalSeconds;
                    progress.WriteLine($"memoryfabric: {i + 1}/{n} built ({(i + 1) / watch.Elapsed.TotalSeconds:F0}/s)");
                }
            }
        }

        var buildSeconds = watch.Elapsed.TotalSeconds;
        progress?.WriteLine($"memoryfabric: built in {buildSeconds:F1} s ({n / buildSeconds:F0}/s)");
        var heapAfter = ResidentMemory.SettleHeap();
        var rssAfterBuild = ResidentMemory.ReadSelf();
        var statistics = shard.GetStatistics();

        WarmUp(shard, set, options.K);
        var sweep = new List<SweepPoint>();
        SweepPoint? chosen = null;
        foreach (var ef in options.EfValues)
        {
            var point = Measure(shard, set, truth, options.K, ef, out _);
            sweep.Add(point);
            progress?.WriteLine($"memoryfabric: efSearch {ef,4}  recall@{options.K} {point.RecallAt10:F4}  {point.Qps,9:F0} q/s");
            if (point.RecallAt10 >= options.TargetRecall)
            {
                chosen = point;
                break;
            }
        }

        var reached = chosen is not null;
        chosen ??= sweep.OrderByDescending(p => p.RecallAt10).ThenByDescending(p => p.Qps).First();
        var best = chosen.Qps;
        for (var r = 1; r < options.Repeat; r++)
        {
            best = Math.Max(best, Measure(shard, set, truth, options.K, chosen.EfSearch, out _).Qps);
        }

        ResidentMemory.SettleHeap();
        var rssAfterQueries = ResidentMemory.ReadSelf();
        var grownAfterBuild = ResidentMemory.Growth(rssBefore, rssAfterBuild);
        var grownAfterQueries = ResidentMemory.Growth(rssBefore, rssAfterQueries);
        var details = new Dictionary<string, object>
        {
            ["kernel"] = statistics.Kernel,
            ["float32_storage"] = StorageText(options.Storage),
            ["mapped_bytes_per_vector"] = statistics.MappedBytes / (double)n,
            ["resident_bytes"] = statistics.ResidentBytes,
            ["resident_breakdown_bytes_per_vector"] = statistics.ResidentBreakdown.ToDictionary(p => p.Key, p => Math.Round(p.Value / (double)n, 1)),
            ["managed_heap_growth_bytes"] = heapAfter - heapBefore,
            ["managed_heap_growth_bytes_per_vector"] = Math.Round((heapAfter - heapBefore) / (double)n, 1),
            ["search_scratch_bytes_per_thread"] = statistics.ScratchBytesPerThread,
            ["max_level"] = statistics.MaxLevel,
        };

        AddSnapshotTimings(shard, set, options, workDirectory, buildSeconds, chosen.EfSearch, details, cancellationToken);
        return new EngineResult
        {
            Threads = 1,
            BuildSeconds = buildSeconds,
            BuildVectorsPerSecond = n / buildSeconds,
            BytesPerVector = grownAfterBuild is { } grown ? grown.TotalBytes / (double)n : null,
            BytesPerVectorMethod = "VmRSS growth of the engine's own process from just before the index is created to just after the build "
                + "(after a full blocking, compacting GC that returns freed memory to the OS) / n: anonymous + file-backed pages (the memory-mapped float32 vectors are file-backed); "
                + "the allocated capacity of the in-RAM structures is beside it",
            BytesPerVectorCheck = statistics.ResidentBytes / (double)n,
            ResidentBaseline = rssBefore,
            ResidentGrowthAfterBuild = grownAfterBuild,
            ResidentGrowthAfterQueries = grownAfterQueries,
            AnonBytesPerVector = grownAfterBuild?.AnonBytes / (double)n,
            FileBytesPerVector = grownAfterBuild is null ? null : (grownAfterBuild.FileBytes + grownAfterBuild.ShmemBytes) / (double)n,
            EfSearch = chosen.EfSearch,
            RecallAt10 = chosen.RecallAt10,
            Qps = best,
            ReachedTarget = reached,
            Sweep = sweep,
            Version = typeof(VectorShard).Assembly.GetName().Version?.ToString(),
            Details = details,
        };
    }

    private static void AddSnapshotTimings(
        VectorShard shard, VectorSet set, IndexBenchmarkOptions options, string workDirectory, double buildSeconds, int ef, Dictionary<string, object> details, CancellationToken cancellationToken)
    {
        var path = Path.Combine(workDirectory, "memoryfabric.mfvs");
        var watch = Stopwatch.StartNew();
        shard.Save(path, cancellationToken);
        var saveSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        using var loaded = VectorShard.Load(path, shard.Options, cancellationToken);
        var loadSeconds = watch.Elapsed.TotalSeconds;
        var identical = 0;
        var checkedQueries = Math.Min(100, set.QueryCount);
        for (var q = 0; q < checkedQueries; q++)
        {
            var a = shard.Search(set.Query(q), options.K, efSearch: ef);
            var b = loaded.Search(set.Query(q), options.K, efSearch: ef);
            if (a.SequenceEqual(b))
            {
                identical++;
            }
        }

        details["snapshot_bytes"] = new FileInfo(path).Length;
        details["snapshot_save_seconds"] = saveSeconds;
        details["snapshot_load_seconds"] = loadSeconds;
        details["build_over_load"] = buildSeconds / loadSeconds;
        details["snapshot_identical_results"] = $"{identical}/{checkedQueries}";
        options.Progress?.WriteLine($"memoryfabric: snapshot {new FileInfo(path).Length / 1e6:F1} MB saved in {saveSeconds:F2} s, loaded in {loadSeconds:F3} s "
            + $"(build / load = {buildSeconds / loadSeconds:F0}×), identical results on {identical}/{checkedQueries} queries");
    }

    private static void WarmUp(VectorShard shard, VectorSet set, int k)
    {
        // Let tiered compilation promote the search path before anything is timed.
        var watch = Stopwatch.StartNew();
        var q = 0;
        while (watch.Elapsed.TotalSeconds < WarmUpSeconds)
        {
            shard.Search(set.Query(q), k, efSearch: 32);
            q = (q + 1) % set.QueryCount;
        }

        Thread.Sleep(200);
    }

    private static SweepPoint Measure(VectorShard shard, VectorSet set, int[][] truth, int k, int ef, out IReadOnlyList<VectorHit>[] results)
    {
        var count = set.QueryCount;
        results = new IReadOnlyList<VectorHit>[count];
        var watch = Stopwatch.StartNew();
        for (var q = 0; q < count; q++)
        {
            results[q] = shard.Search(set.Query(q), k, efSearch: ef);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var found = 0;
        for (var q = 0; q < count; q++)
        {
            var expected = new HashSet<int>(truth[q].Take(k));
            found += results[q].Count(h => expected.Contains(IndexOf(h.Key)));
        }

        return new SweepPoint(ef, found / (double)(count * k), count / seconds);
    }

    private static string StorageText(VectorStorage storage) => storage switch
    {
        VectorStorage.MappedFile => "memory-mapped file",
        VectorStorage.InMemory => "in memory",
        _ => "none (int8 codes only)",
    };

    private static string Key(int i) => "v" + i.ToString(CultureInfo.InvariantCulture);

    private static int IndexOf(string key) => int.Parse(key.AsSpan(1), CultureInfo.InvariantCulture);
}
