using System.Diagnostics;
using MemoryFabric.Benchmarks.Http;
using MemoryFabric.Benchmarks.Index;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Orleans.VectorShards;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Benchmarks.Split;

/// <summary>
/// The cost of splitting a tenant's vector shard, as the fabric runs it: an in-process silo with the fabric's grains and
/// SQLite store, one tenant whose single shard is filled with clustered vectors; then the tenant index is asked to split
/// it (<see cref="ITenantIndexGrain.SplitAsync"/>, what passing <see cref="TenantIndexOptions.ShardSplitThreshold"/>
/// does) while one client searches without pause and another writes new vectors, both routing through the table they
/// read before each call, as the fabric's search and outboxes do. Reported: searches before, during and after (latency,
/// and recall@k against exact search before and after), the split's duration, the writes' latency, and whether every
/// item ended in exactly the shard its key routes to.
/// </summary>
public static class SplitBenchmark
{
    private const string Tenant = "bench-split";

    /// <summary>Runs the benchmark.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The figures.</returns>
    public static async Task<SplitBenchmarkReport> RunAsync(SplitBenchmarkOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var progress = options.Progress;
        var n = options.Count;
        var all = IndexDatasets.GenerateClustered(n + options.Writes, options.Queries, options.Dimensions, options.Centres, options.Seed);
        var first = all with { Base = all.Base[..(n * options.Dimensions)] };
        progress?.WriteLine($"bench split: exact top-{options.K} of {options.Queries} queries over {n} and {n + options.Writes} vectors");
        var truthBefore = ExactSearch.GroundTruth(first, options.K, cancellationToken);
        var truthAfter = ExactSearch.GroundTruth(all, options.K, cancellationToken);

        var work = Directory.CreateTempSubdirectory("memfab-bench-split-");
        using var host = InProcessSilo.Build("mf-bench-split", Path.Combine(work.FullName, "data"), new TenantIndexOptions
        {
            Enabled = true,
            Shards = 1,
            VectorStorage = options.Storage,
            ShardM = options.M,
            ShardEfConstruction = options.EfConstruction,
            ShardSplitThreshold = 0, // the split is asked for, at a known moment
            SplitCopyBatch = options.CopyBatch,
        });
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var index = grains.GetGrain<ITenantIndexGrain>(Tenant);
            var table = await index.GetTableAsync(cancellationToken).ConfigureAwait(false);
            var shard = grains.GetGrain<IVectorShardGrain>(table.ShardKey(0));

            progress?.WriteLine($"bench split: filling {table.ShardKey(0)} with {n} × {options.Dimensions} (batches of {options.IngestBatch}, journaled in SQLite)");
            var fill = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            for (var b = 0; b < n; b += options.IngestBatch)
            {
                await shard.UpsertAsync(Entries(all, b, Math.Min(n, b + options.IngestBatch)), cancellationToken).ConfigureAwait(false);
                if (fill.Elapsed - lastReport >= TimeSpan.FromSeconds(10))
                {
                    lastReport = fill.Elapsed;
                    progress?.WriteLine($"bench split: {Math.Min(n, b + options.IngestBatch)}/{n} in {fill.Elapsed.TotalSeconds:F0} s");
                }
            }

            var ingestRate = n / fill.Elapsed.TotalSeconds;
            progress?.WriteLine($"bench split: filled at {ingestRate:F0}/s; searching before the split");
            await SearchAsync(grains, index, all, truthBefore, options, TimeSpan.FromSeconds(1), null, cancellationToken).ConfigureAwait(false); // warm-up
            var before = await SearchAsync(grains, index, all, truthBefore, options, null, null, cancellationToken).ConfigureAwait(false);

            progress?.WriteLine($"bench split: splitting {table.ShardKey(0)} while one client searches and another writes {options.Writes} vectors");
            var split = Stopwatch.StartNew();
            if (!await index.SplitAsync(table.ShardKey(0), cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException("The tenant index did not start the split.");
            }

            using var done = new CancellationTokenSource();
            var writer = WriteAsync(grains, index, all, n, options, cancellationToken);
            var searcher = SearchAsync(grains, index, all, null, options, null, done.Token, cancellationToken);
            var committed = TimeSpan.Zero;
            while (await index.GetSplitAsync(cancellationToken).ConfigureAwait(false) is { } running)
            {
                if (running.Committed && committed == TimeSpan.Zero)
                {
                    committed = split.Elapsed;
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }

            var splitSeconds = split.Elapsed.TotalSeconds;
            await done.CancelAsync().ConfigureAwait(false);
            var during = await searcher.ConfigureAwait(false);
            var writes = await writer.ConfigureAwait(false);
            progress?.WriteLine($"bench split: split done in {splitSeconds:F1} s; searching after it");

            var after = await SearchAsync(grains, index, all, truthAfter, options, null, null, cancellationToken).ConfigureAwait(false);
            var final = await index.GetTableAsync(cancellationToken).ConfigureAwait(false);
            var (counts, everyItemKept) = await CheckItemsAsync(grains, final, n + options.Writes, cancellationToken).ConfigureAwait(false);
            var commitSeconds = (committed == TimeSpan.Zero ? split.Elapsed : committed).TotalSeconds;
            return new SplitBenchmarkReport
            {
                Dataset = all.Description,
                Settings = $"M {options.M}, efConstruction {options.EfConstruction}, efSearch {options.EfSearch}, {options.Storage}, copy steps of {options.CopyBatch}, "
                    + $"{options.Writes} writes in batches of {options.WriteBatch} during the split, SQLite store",
                IngestVectorsPerSecond = ingestRate,
                Before = before with { Shards = table.ShardCount },
                During = during with { Shards = final.ShardCount },
                After = after with { Shards = final.ShardCount },
                SecondsToCommit = commitSeconds,
                SplitSeconds = splitSeconds,
                CopyItemsPerSecond = n / commitSeconds,
                WritesDuringSplit = writes.Batches,
                WriteP50Ms = writes.Latency.P50Ms,
                WriteP99Ms = writes.Latency.P99Ms,
                WritesRerouted = writes.Rerouted,
                ItemsPerShardAfter = counts,
                ItemsExpected = n + options.Writes,
                EveryItemKept = everyItemKept,
            };
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static List<VectorShardEntry> Entries(VectorSet set, int from, int to) =>
        [.. Enumerable.Range(from, to - from).Select(i => new VectorShardEntry(TenantShardsEngine.Key(i), set.Row(i).ToArray(), "agent", "turn", null))];

    // One client, one query at a time, the table read before each (as a tenant-wide search does). With truth: every
    // query once, recall measured; otherwise (during the split) queries cycled until stopped.
    private static async Task<SplitPhase> SearchAsync(
        IGrainFactory grains, ITenantIndexGrain index, VectorSet set, int[][]? truth, SplitBenchmarkOptions options, TimeSpan? duration, CancellationToken? stop, CancellationToken cancellationToken)
    {
        var log = new LatencyLog();
        var found = 0;
        var watch = Stopwatch.StartNew();
        for (var q = 0; ; q++)
        {
            if (duration is { } d ? watch.Elapsed >= d : stop is { } s ? s.IsCancellationRequested : q >= set.QueryCount)
            {
                break;
            }

            var query = set.Query(q % set.QueryCount).ToArray();
            var started = Stopwatch.GetTimestamp();
            var table = await index.GetTableAsync(cancellationToken).ConfigureAwait(false);
            var hits = await TenantShardSearch.SearchAsync(grains, table, query, options.K, efSearch: options.EfSearch, cancellationToken: cancellationToken).ConfigureAwait(false);
            log.Add(Stopwatch.GetTimestamp() - started);
            if (truth is not null && duration is null)
            {
                var expected = truth[q].Take(options.K).ToHashSet();
                found += hits.Count(h => expected.Contains(TenantShardsEngine.IndexOf(h.Key)));
            }
        }

        var summary = LatencyLog.Summarize([log]);
        double? recall = truth is not null && duration is null ? found / (double)(set.QueryCount * options.K) : null;
        return new SplitPhase(0, (int)summary.Count, recall, summary.P50Ms, summary.P99Ms, summary.MaxMs);
    }

    // New vectors in small batches, routed by the table read before each; a batch that meets the retired source is
    // routed again with a fresh table (what an agent's outbox does).
    private static async Task<(int Batches, int Rerouted, LatencySummary Latency)> WriteAsync(
        IGrainFactory grains, ITenantIndexGrain index, VectorSet set, int from, SplitBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var log = new LatencyLog();
        var batches = 0;
        var rerouted = 0;
        for (var b = from; b < from + options.Writes; b += options.WriteBatch)
        {
            var entries = Entries(set, b, Math.Min(from + options.Writes, b + options.WriteBatch));
            var started = Stopwatch.GetTimestamp();
            for (var attempt = 0; ; attempt++)
            {
                var table = await index.GetTableAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await Task.WhenAll(entries.GroupBy(e => table.ShardOf(e.Key))
                        .Select(g => grains.GetGrain<IVectorShardGrain>(table.ShardKey(g.Key)).UpsertAsync([.. g], cancellationToken))).ConfigureAwait(false);
                    break;
                }
                catch (ShardMovedException) when (attempt < 4)
                {
                    rerouted++;
                }
            }

            log.Add(Stopwatch.GetTimestamp() - started);
            batches++;
        }

        return (batches, rerouted, LatencyLog.Summarize([log]));
    }

    // Every shard's keys, each key once and in the shard the table routes it to, and exactly the expected ones.
    private static async Task<(IReadOnlyList<int> Counts, bool EveryItemKept)> CheckItemsAsync(IGrainFactory grains, ShardTable table, int expected, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var counts = new List<int>();
        var ok = true;
        for (var s = 0; s < table.ShardCount; s++)
        {
            var shard = grains.GetGrain<IVectorShardGrain>(table.ShardKey(s));
            var count = 0;
            string? after = null;
            while (true)
            {
                var page = await shard.ListKeysAsync(after, 10_000, cancellationToken).ConfigureAwait(false);
                foreach (var key in page)
                {
                    count++;
                    ok &= seen.Add(key) && table.ShardOf(key) == s && TenantShardsEngine.IndexOf(key) < expected;
                }

                if (page.Count < 10_000)
                {
                    break;
                }

                after = page[^1];
            }

            counts.Add(count);
        }

        return (counts, ok && seen.Count == expected);
    }
}
