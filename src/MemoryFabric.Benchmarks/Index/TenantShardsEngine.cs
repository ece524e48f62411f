using System.Diagnostics;
using System.Globalization;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Retrieval;
using MemoryFabric.VectorIndex;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Benchmarks.Index;

/// <summary>
/// A tenant's sharded vector index as the fabric runs it: an in-process Orleans silo with the fabric's grains and its
/// SQLite store, the tenant's <see cref="IVectorShardGrain"/>s (<c>{tenant}/shard-{n}</c>, every upsert journaled
/// before it is acknowledged), item keys routed by <see cref="ShardTable.ShardOf"/>. Ingest sends batches to every shard
/// at once (one sequential stream per shard, so all cores work); a search fans out to every shard and merges
/// (<see cref="TenantShardSearch"/>, the code tenant-wide search runs), one client, one query at a time.
/// </summary>
internal static class TenantShardsEngine
{
    private const string Tenant = "bench";
    private const string WarmUpTenant = "warm-up";
    private const int Agents = 100;
    private const double WarmUpSeconds = 1.0;

    public static async Task<EngineResult> RunAsync(VectorSet set, int[][] truth, IndexBenchmarkOptions options, string workDirectory, CancellationToken cancellationToken)
    {
        var progress = options.Progress;
        var n = set.Count;
        var table = new ShardTable(Tenant, 1, options.Shards);
        using var host = InProcessSilo.Build("mf-bench-shards", Path.Combine(workDirectory, "data"), new TenantIndexOptions
        {
            Enabled = true,
            Shards = options.Shards,
            VectorStorage = options.Storage,
            ShardM = options.M,
            ShardEfConstruction = options.EfConstruction,
            ShardSplitThreshold = 0, // the layout under measurement is the one asked for: no split during the run
        });
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            await WarmUpAsync(grains, set, options, cancellationToken).ConfigureAwait(false);

            var heapBefore = ResidentMemory.SettleHeap();
            var rssBefore = ResidentMemory.ReadSelf();
            progress?.WriteLine($"memoryfabric-shards: ingesting {n} × {set.Dimensions} into {options.Shards} shard grains of tenant '{Tenant}' "
                + $"(batches of {options.ShardBatch}, journaled in SQLite before each acknowledgement), M {options.M}, efConstruction {options.EfConstruction}, "
                + $"vector storage {options.Storage}, {Environment.ProcessorCount} cores");
            var watch = Stopwatch.StartNew();
            await IngestAsync(grains, table, set, 0, n, options, progress, cancellationToken).ConfigureAwait(false);
            var buildSeconds = watch.Elapsed.TotalSeconds;
            progress?.WriteLine($"memoryfabric-shards: {n} acknowledged in {buildSeconds:F1} s ({n / buildSeconds:F0}/s)");
            var shardStatistics = await Task.WhenAll(table.ShardKeys.Select(k => grains.GetGrain<IVectorShardGrain>(k).GetStatisticsAsync(cancellationToken))).ConfigureAwait(false);
            var counts = shardStatistics.Select(s => s.Count).ToArray();
            var heapAfter = ResidentMemory.SettleHeap();
            var rssAfterBuild = ResidentMemory.ReadSelf();

            await WarmUpSearchAsync(grains, table, set, options.K, cancellationToken).ConfigureAwait(false);
            var sweep = new List<SweepPoint>();
            SweepPoint? chosen = null;
            long[]? chosenLatencies = null;
            foreach (var ef in options.EfValues)
            {
                var (point, latencies) = await MeasureAsync(grains, table, set, truth, options.K, ef, cancellationToken).ConfigureAwait(false);
                sweep.Add(point);
                progress?.WriteLine($"memoryfabric-shards: efSearch {ef,4}  recall@{options.K} {point.RecallAt10:F4}  {point.Qps,7:F0} q/s  "
                    + $"p50 {Percentile(latencies, 0.50):F2} ms  p99 {Percentile(latencies, 0.99):F2} ms");
                if (point.RecallAt10 >= options.TargetRecall)
                {
                    chosen = point;
                    chosenLatencies = latencies;
                    break;
                }
            }

            var reached = chosen is not null;
            if (chosen is null)
            {
                chosen = sweep.OrderByDescending(p => p.RecallAt10).ThenByDescending(p => p.Qps).First();
                chosenLatencies = (await MeasureAsync(grains, table, set, truth, options.K, chosen.EfSearch, cancellationToken).ConfigureAwait(false)).Latencies;
            }

            var best = (Qps: chosen.Qps, Latencies: chosenLatencies!);
            for (var r = 1; r < options.Repeat; r++)
            {
                var again = await MeasureAsync(grains, table, set, truth, options.K, chosen.EfSearch, cancellationToken).ConfigureAwait(false);
                if (again.Point.Qps > best.Qps)
                {
                    best = (again.Point.Qps, again.Latencies);
                }
            }

            ResidentMemory.SettleHeap();
            var rssAfterQueries = ResidentMemory.ReadSelf();
            var grownAfterBuild = ResidentMemory.Growth(rssBefore, rssAfterBuild);
            var grownAfterQueries = ResidentMemory.Growth(rssBefore, rssAfterQueries);
            var details = new Dictionary<string, object>
            {
                ["shards"] = options.Shards,
                ["items_per_shard"] = string.Join(",", counts.Select(c => c.ToString(CultureInfo.InvariantCulture))),
                ["batch"] = options.ShardBatch,
                ["vector_storage"] = options.Storage.ToString(),
                ["store"] = "SQLite (the embedded server's), journal of every upsert before its acknowledgement",
                ["managed_heap_growth_bytes_per_vector"] = Math.Round((heapAfter - heapBefore) / (double)n, 1),
                ["shard_index_bytes_per_vector"] = Math.Round(shardStatistics.Sum(s => s.ResidentBytes) / (double)n, 1),
                ["snapshot_bytes"] = shardStatistics.Sum(s => s.SnapshotBytes),
                ["journal_bytes_since_snapshots"] = shardStatistics.Sum(s => s.JournalBytes),
                ["latency_p50_ms"] = Percentile(best.Latencies, 0.50),
                ["latency_p99_ms"] = Percentile(best.Latencies, 0.99),
                ["latency_max_ms"] = Http.LatencyLog.Milliseconds(best.Latencies[^1]),
                ["database_bytes"] = DirectorySize(Path.Combine(workDirectory, "data")),
            };
            return new EngineResult
            {
                Threads = Environment.ProcessorCount,
                BuildSeconds = buildSeconds,
                BuildVectorsPerSecond = n / buildSeconds,
                BytesPerVector = grownAfterBuild is { } grown ? grown.TotalBytes / (double)n : null,
                BytesPerVectorMethod = "VmRSS growth of the engine's own process (the silo and its SQLite store included) from just before the first upsert "
                    + "to just after the last acknowledgement (after a full blocking, compacting GC that returns freed memory to the OS) / n",
                ResidentBaseline = rssBefore,
                ResidentGrowthAfterBuild = grownAfterBuild,
                ResidentGrowthAfterQueries = grownAfterQueries,
                AnonBytesPerVector = grownAfterBuild?.AnonBytes / (double)n,
                FileBytesPerVector = grownAfterBuild is null ? null : (grownAfterBuild.FileBytes + grownAfterBuild.ShmemBytes) / (double)n,
                EfSearch = chosen.EfSearch,
                RecallAt10 = chosen.RecallAt10,
                Qps = best.Qps,
                LatencyP50Ms = Percentile(best.Latencies, 0.50),
                LatencyP99Ms = Percentile(best.Latencies, 0.99),
                ReachedTarget = reached,
                Sweep = sweep,
                Version = typeof(IVectorShardGrain).Assembly.GetName().Version?.ToString(),
                Details = details,
            };
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The item key of vector <paramref name="i"/>: an agent's turn, as the outbox keys it.</summary>
    /// <param name="i">The vector's index.</param>
    /// <returns>The key.</returns>
    internal static string Key(int i) => ShardTable.ItemKey(AgentOf(i), MemoryItemKind.Turn, "t" + i.ToString(CultureInfo.InvariantCulture));

    /// <summary>The vector's index from its key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The index.</returns>
    internal static int IndexOf(string key) => int.Parse(key.AsSpan(key.LastIndexOf('/') + 2), CultureInfo.InvariantCulture);

    private static string AgentOf(int i) => "agent-" + (i % Agents).ToString(CultureInfo.InvariantCulture);

    // Every shard gets its own stream of batches, all at once: one grain turn per batch, so as many batches run as
    // there are cores.
    private static async Task IngestAsync(
        IGrainFactory grains, ShardTable table, VectorSet set, int start, int end, IndexBenchmarkOptions options, TextWriter? progress, CancellationToken cancellationToken)
    {
        var byShard = new List<int>[table.ShardCount];
        for (var s = 0; s < byShard.Length; s++)
        {
            byShard[s] = [];
        }

        for (var i = start; i < end; i++)
        {
            byShard[table.ShardOf(Key(i))].Add(i);
        }

        var done = 0;
        var watch = Stopwatch.StartNew();
        var lastReport = 0.0;
        await Task.WhenAll(byShard.Select(async (items, s) =>
        {
            var shard = grains.GetGrain<IVectorShardGrain>(table.ShardKey(s));
            for (var b = 0; b < items.Count; b += options.ShardBatch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = items.Skip(b).Take(options.ShardBatch)
                    .Select(i => new VectorShardEntry(Key(i), set.Row(i).ToArray(), AgentOf(i), "turn", null))
                    .ToList();
                await shard.UpsertAsync(batch, cancellationToken).ConfigureAwait(false);
                var total = Interlocked.Add(ref done, batch.Count);
                if (progress is not null && start == 0 && watch.Elapsed.TotalSeconds - Volatile.Read(ref lastReport) >= 5)
                {
                    Volatile.Write(ref lastReport, watch.Elapsed.TotalSeconds);
                    progress.WriteLine($"memoryfabric-shards: {total}/{end - start} acknowledged ({total / watch.Elapsed.TotalSeconds:F0}/s)");
                }
            }
        })).ConfigureAwait(false);
    }

    // JIT-compiles the silo's paths (activation, SQLite, the journal, HNSW, the fan-out) on a throwaway tenant whose
    // shards are cleared again, so that neither counts in the measured growth.
    private static async Task WarmUpAsync(IGrainFactory grains, VectorSet set, IndexBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var table = new ShardTable(WarmUpTenant, 1, options.Shards);
        await IngestAsync(grains, table, set, 0, Math.Min(500 * options.Shards, set.Count), options, null, cancellationToken).ConfigureAwait(false);
        await WarmUpSearchAsync(grains, table, set, options.K, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(table.ShardKeys.Select(k => grains.GetGrain<IVectorShardGrain>(k).ClearAsync(cancellationToken))).ConfigureAwait(false);
    }

    private static async Task WarmUpSearchAsync(IGrainFactory grains, ShardTable table, VectorSet set, int k, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var q = 0;
        while (watch.Elapsed.TotalSeconds < WarmUpSeconds)
        {
            await TenantShardSearch.SearchAsync(grains, table, set.Query(q).ToArray(), k, efSearch: 32, cancellationToken: cancellationToken).ConfigureAwait(false);
            q = (q + 1) % set.QueryCount;
        }
    }

    // The latencies come back in Stopwatch ticks, sorted.
    private static async Task<(SweepPoint Point, long[] Latencies)> MeasureAsync(
        IGrainFactory grains, ShardTable table, VectorSet set, int[][] truth, int k, int ef, CancellationToken cancellationToken)
    {
        var count = set.QueryCount;
        var queries = Enumerable.Range(0, count).Select(q => set.Query(q).ToArray()).ToArray();
        var latencies = new long[count];
        var found = 0;
        var total = Stopwatch.StartNew();
        for (var q = 0; q < count; q++)
        {
            var started = Stopwatch.GetTimestamp();
            var hits = await TenantShardSearch.SearchAsync(grains, table, queries[q], k, efSearch: ef, cancellationToken: cancellationToken).ConfigureAwait(false);
            latencies[q] = Stopwatch.GetTimestamp() - started;
            var expected = new HashSet<int>(truth[q].Take(k));
            found += hits.Count(h => expected.Contains(IndexOf(h.Key)));
        }

        var seconds = total.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return (new SweepPoint(ef, found / (double)(count * k), count / seconds), latencies);
    }

    // Nearest rank, in ms, from latencies in Stopwatch ticks sorted once (the HTTP benchmark's percentile).
    private static double Percentile(long[] sortedTicks, double p) => Http.LatencyLog.Milliseconds(Http.LatencyLog.Percentile(sortedTicks, p));

    private static long DirectorySize(string path) =>
        Directory.Exists(path) ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
}
