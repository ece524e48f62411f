using System.Diagnostics;
using MemoryFabric.Benchmarks.Http;
using MemoryFabric.Benchmarks.Index;
using MemoryFabric.Conversation;
using MemoryFabric.Embeddings;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Benchmarks.LargeAgent;

/// <summary>
/// A large agent against one that keeps its vectors, in one run on the same turns: an in-process silo with the
/// fabric's grains, its SQLite store and the tenant index on (a hashing embedder, so the run needs no model). Two
/// agents of one tenant get the same synthetic conversation through their grains, every vector shipped to the shards.
/// Then the first agent is measured holding every turn vector (the large-agent threshold off); then the threshold is
/// set, the second agent's next flush offloads its acknowledged turn vectors, and it is measured the same way. Each
/// measurement starts from a silo with nothing active: the managed heap after a full collection, the agent activated
/// and searched once (the first search), the heap again, then the measured searches. The shards' own heap is taken
/// out of the offloaded agent's figure by activating them alone afterwards. Dense recall@10 compares the turns a search
/// ranks 1-10 on the dense signal with exact search over the same vectors (the embedder run here on the turns' index
/// text, as the engine embeds them). Nothing is consolidated (the turn vectors are what is measured), and calls may take
/// up to 10 minutes (a kept agent's first search builds its HNSW graph).
/// </summary>
public static class LargeAgentBenchmark
{
    private const string Tenant = "bench-large-agent";
    private const string Speaker = "user";

    /// <summary>Runs the benchmark.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The figures.</returns>
    public static async Task<LargeAgentBenchmarkReport> RunAsync(LargeAgentBenchmarkOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Threshold < 1 || options.Threshold > options.Turns)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Threshold, $"The threshold must be between 1 and the turn count ({options.Turns}).");
        }

        var progress = options.Progress;
        var embedder = new HashingEmbeddingGenerator(options.Dimensions);
        var talk = new SyntheticTalk(options.Seed);
        var texts = Enumerable.Range(0, options.Turns).Select(talk.Statement).ToList();
        var queries = Enumerable.Range(0, options.WarmUp + options.Queries).Select(_ => talk.Query()).ToList();
        progress?.WriteLine($"bench large-agent: exact top 10 of {queries.Count} queries over {options.Turns:N0} turn vectors");
        var exact = await ExactTop10Async(embedder, texts, queries, cancellationToken).ConfigureAwait(false);

        var work = Directory.CreateTempSubdirectory("memfab-bench-large-agent-");
        var tenantIndex = new TenantIndexOptions
        {
            Enabled = true,
            Shards = options.Shards,
            ShardSplitThreshold = 0, // the layout under measurement stays as it is
            LargeAgentTurnVectors = 0, // set before the second agent is measured
            LargeAgentEfSearch = options.EfSearch,
        };
        using var host = InProcessSilo.Build(
            "mf-bench-large-agent",
            Path.Combine(work.FullName, "data"),
            tenantIndex,
            services =>
            {
                services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(embedder);
                services.AddSingleton<IAgentMemoryFactory>(new AgentMemoryFactory(() => new AgentMemory(new AgentMemoryOptions(), TimeProvider.System, embedder)));
                // No consolidation (turn vectors are what is measured): neither by count, period, nor idle sessions.
                services.AddSingleton(new AgentMemoryGrainOptions { ConsolidateAfterTurns = 100_000_000, ConsolidationPeriod = TimeSpan.FromDays(1), SessionIdleConsolidation = TimeSpan.Zero });
            },
            // A kept agent's first search after activation builds its HNSW graph, which at 100,000 turns takes longer
            // than Orleans' default 30 s response timeout: measured, not cut short.
            silo => silo.Configure<global::Orleans.Configuration.SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(10)));
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var start = Stopwatch.StartNew();
            progress?.WriteLine($"bench large-agent: two agents write {options.Turns:N0} turns each ({options.Batch} per write), every vector shipped to {options.Shards} shards");
            await Task.WhenAll(
                WriteAsync(grains, "kept", texts, options, cancellationToken),
                WriteAsync(grains, "offloaded", texts, options, cancellationToken)).ConfigureAwait(false);
            var ingestSeconds = start.Elapsed.TotalSeconds;

            progress?.WriteLine("bench large-agent: the agent that keeps its turn vectors");
            var kept = await MeasureAsync(grains, "kept", queries, exact, options, measureShards: false, cancellationToken).ConfigureAwait(false);

            tenantIndex.LargeAgentTurnVectors = options.Threshold;
            var offloadedAgent = grains.GetGrain<IAgentVectorOutboxGrain>(Tenant + "/offloaded");
            await offloadedAgent.FlushVectorOutboxAsync(cancellationToken).ConfigureAwait(false);
            progress?.WriteLine($"bench large-agent: the agent past the threshold ({options.Threshold:N0}) offloaded its acknowledged turn vectors");
            var offloaded = await MeasureAsync(grains, "offloaded", queries, exact, options, measureShards: true, cancellationToken).ConfigureAwait(false);

            var common = 0;
            for (var i = options.WarmUp; i < queries.Count; i++)
            {
                common += kept.Top10[i].Intersect(offloaded.Top10[i], StringComparer.Ordinal).Count();
            }

            return new LargeAgentBenchmarkReport
            {
                Dataset = $"{options.Turns:N0} synthetic turns in each of two agents of one tenant, {options.Queries} queries (+{options.WarmUp} warm-up)",
                Settings = $"hashing embedder {options.Dimensions}-d, {options.Shards} shards (int8 codes), threshold {options.Threshold:N0} turn vectors, shard efSearch {options.EfSearch}",
                IngestSeconds = Math.Round(ingestSeconds, 1),
                Kept = kept.Phase,
                Offloaded = offloaded.Phase,
                Top10Agreement = Math.Round(common / (10.0 * options.Queries), 4),
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

    private static async Task WriteAsync(IGrainFactory grains, string name, List<string> texts, LargeAgentBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var agent = grains.GetGrain<IAgentMemoryGrain>(Tenant + "/" + name);
        var origin = new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero);
        for (var offset = 0; offset < texts.Count; offset += options.Batch)
        {
            var batch = Enumerable.Range(offset, Math.Min(options.Batch, texts.Count - offset)).Select(i => new TurnInput
            {
                Id = $"t{i}",
                SessionId = $"s{i / 200}",
                Speaker = Speaker,
                Role = TurnRole.User,
                Text = texts[i],
                Timestamp = origin.AddMinutes(i),
            }).ToList();
            await agent.IngestAsync(batch, cancellationToken).ConfigureAwait(false);
            if (name == "kept" && (offset / options.Batch) % 40 == 39)
            {
                options.Progress?.WriteLine($"bench large-agent: {offset + batch.Count:N0} turns written to each agent");
            }
        }

        await grains.GetGrain<IAgentVectorOutboxGrain>(Tenant + "/" + name).FlushVectorOutboxAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(LargeAgentPhase Phase, List<string[]> Top10)> MeasureAsync(
        IGrainFactory grains, string name, List<string> queries, List<HashSet<string>> exact, LargeAgentBenchmarkOptions options, bool measureShards, CancellationToken cancellationToken)
    {
        var agent = grains.GetGrain<IAgentMemoryGrain>(Tenant + "/" + name);
        var before = await SettledHeapAsync(grains, cancellationToken).ConfigureAwait(false);
        var first = Stopwatch.GetTimestamp();
        await agent.SearchAsync(Request(queries[0]), cancellationToken).ConfigureAwait(false);
        var firstMs = LatencyLog.Milliseconds(Stopwatch.GetTimestamp() - first);
        // Its outbox's first flush after activation compares the whole memory with the ledger: done before measuring.
        await grains.GetGrain<IAgentVectorOutboxGrain>(Tenant + "/" + name).FlushVectorOutboxAsync(cancellationToken).ConfigureAwait(false);
        var stats = await agent.GetStatisticsAsync(cancellationToken).ConfigureAwait(false);
        var active = ResidentMemory.SettleHeap();

        var log = new LatencyLog();
        var top10 = new List<string[]>(queries.Count);
        var found = 0;
        for (var i = 0; i < queries.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var hits = await agent.SearchAsync(Request(queries[i]), cancellationToken).ConfigureAwait(false);
            var ticks = Stopwatch.GetTimestamp() - started;
            top10.Add([.. hits.Take(10).Select(h => h.Item.Id)]);
            if (i >= options.WarmUp)
            {
                log.Add(ticks);
                found += hits.Count(h => h.DenseRank is <= 10 && exact[i].Contains(h.Item.Id));
            }
        }

        long shardHeap = 0;
        if (measureShards)
        {
            var idle = await SettledHeapAsync(grains, cancellationToken).ConfigureAwait(false);
            var table = await grains.GetGrain<ITenantIndexGrain>(Tenant).GetTableAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(table.ShardKeys.Select(k => grains.GetGrain<IVectorShardGrain>(k).CountAsync(cancellationToken))).ConfigureAwait(false);
            shardHeap = ResidentMemory.SettleHeap() - idle;
        }

        var latency = LatencyLog.Summarize([log]);
        options.Progress?.WriteLine($"bench large-agent: {name}: {stats.Turns - stats.OffloadedTurnVectors:N0} turn vectors held, {stats.OffloadedTurnVectors:N0} offloaded; p99 {latency.P99Ms:F2} ms");
        return (new LargeAgentPhase(
            stats.Turns - stats.OffloadedTurnVectors - stats.PendingEmbeddings,
            stats.OffloadedTurnVectors,
            active - before - shardHeap,
            shardHeap,
            firstMs,
            latency.P50Ms,
            latency.P99Ms,
            Math.Round(found / (10.0 * options.Queries), 4)), top10);
    }

    // Every activation collected (the agents' deactivations, which write their snapshots, finished), then the heap
    // after a full, compacting collection.
    private static async Task<long> SettledHeapAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        for (var wait = Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromMinutes(2); )
        {
            var active = await management.GetDetailedGrainStatistics(null, null, cancellationToken).ConfigureAwait(false);
            if (!active.Any(g => g.GrainId.Key.ToString()!.StartsWith(Tenant + "/", StringComparison.Ordinal)))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }

        return ResidentMemory.SettleHeap();
    }

    private static SearchRequest Request(string query) => new() { Query = query, Limit = 1000, Kinds = [MemoryItemKind.Turn] };

    // Exact search over the turns' vectors as the engine embeds them (speaker, then text: no turn answers a question).
    private static async Task<List<HashSet<string>>> ExactTop10Async(HashingEmbeddingGenerator embedder, List<string> texts, List<string> queries, CancellationToken cancellationToken)
    {
        var dimensions = embedder.Dimensions;
        var rows = new float[texts.Count * dimensions];
        for (var offset = 0; offset < texts.Count; offset += 1000)
        {
            var batch = texts.Skip(offset).Take(1000).Select(t => $"{Speaker} {t}").ToList();
            var embedded = await embedder.GenerateAsync(batch, cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < embedded.Count; i++)
            {
                embedded[i].Vector.Span.CopyTo(rows.AsSpan((offset + i) * dimensions, dimensions));
            }
        }

        var queryRows = (await embedder.GenerateAsync(queries, cancellationToken: cancellationToken).ConfigureAwait(false)).SelectMany(e => e.Vector.ToArray()).ToArray();
        var set = new VectorSet("large-agent", "synthetic turns", dimensions, rows, queryRows);
        return [.. ExactSearch.GroundTruth(set, 10, cancellationToken).Select(top => new HashSet<string>(top.Select(i => $"t{i}"), StringComparer.Ordinal))];
    }
}
