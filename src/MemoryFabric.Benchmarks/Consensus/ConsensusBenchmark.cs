using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MemoryFabric.Benchmarks.Http;
using MemoryFabric.Embeddings;
using MemoryFabric.Guard;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Benchmarks.Consensus;

/// <summary>
/// Retrieval-time consensus of a relation group, both ways the fabric can ask the peers, in one run on the same inputs:
/// an in-process silo with the fabric's grains, its SQLite store and the tenant index on (a hashing embedder, so the
/// run needs no model); one group of agents, each writing its trusted notes through its grain one at a time (every
/// write acknowledged, published to the tenant's guard grain, mirrored to the shards). Then weak claims are looked up,
/// one at a time, alternately first through today's path (<see cref="ITenantGuardGrain.GetPeerClaimsAsync"/>, what
/// the agent grain calls) and through the shards (<see cref="ShardConsensusPeers"/>, what it calls with
/// <see cref="TenantIndexOptions.ConsensusThroughShards"/>). Reported: each path's lookup latency, the write-side calls
/// each path's data costs (publishes to the guard grain against shard upserts and pending marks, timed in the silo
/// by an incoming-call filter), whether both paths returned the same claims, and the guard's verdict on each weak claim
/// given each path's claims (the engine's own consensus screen, run on a copy of the asking agent's trusted notes).
/// </summary>
public static class ConsensusBenchmark
{
    private const string Tenant = "bench-consensus";
    private const string Group = "group";

    /// <summary>Runs the benchmark.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The figures.</returns>
    public static async Task<ConsensusBenchmarkReport> RunAsync(ConsensusBenchmarkOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var progress = options.Progress;
        var facts = ConsensusFacts.Generate(options, options.WarmUp + options.Queries);
        var embedder = new HashingEmbeddingGenerator(options.Dimensions);
        var calls = new WriteCalls();
        var work = Directory.CreateTempSubdirectory("memfab-bench-consensus-");
        var tenantIndex = new TenantIndexOptions
        {
            Enabled = true,
            Shards = options.Shards,
            ConsensusCandidates = options.Candidates,
            ShardSplitThreshold = 0, // the layout under measurement stays as it is
        };
        using var host = InProcessSilo.Build(
            "mf-bench-consensus",
            Path.Combine(work.FullName, "data"),
            tenantIndex,
            services =>
            {
                services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(embedder);
                services.AddSingleton<IAgentMemoryFactory>(new AgentMemoryFactory(() => new AgentMemory(new AgentMemoryOptions(), TimeProvider.System, embedder)));
                services.AddSingleton(new AgentMemoryGrainOptions { ConsolidateAfterTurns = 1_000_000, ConsolidationPeriod = TimeSpan.FromDays(1) });
            },
            silo => silo.AddIncomingGrainCallFilter(calls));
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var guard = grains.GetGrain<ITenantGuardGrain>(Tenant);
            foreach (var agent in facts.Agents)
            {
                await guard.AddMemberAsync(Group, agent, cancellationToken).ConfigureAwait(false);
            }

            // The write side: every agent writes its notes one at a time (agents side by side), then every outbox is
            // flushed so that the shards hold everything and no agent is pending when the lookups start.
            var notes = facts.Notes.Sum(n => n.Value.Count);
            progress?.WriteLine($"bench consensus: {facts.Agents.Count} agents of one relation group write {notes} trusted notes about {facts.Subjects.Count} people "
                + $"(each through its grain: acknowledged, published to the guard grain, mirrored to {options.Shards} shards)");
            calls.Recording = true;
            var seed = Stopwatch.StartNew();
            await Parallel.ForEachAsync(facts.Agents, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (agent, ct) =>
            {
                var grain = grains.GetGrain<IAgentMemoryGrain>(Tenant + "/" + agent);
                foreach (var fact in facts.Notes[agent])
                {
                    await grain.AddNoteAsync(fact.Trusted(), cancellationToken: ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            await Task.WhenAll(facts.Agents.Select(a => grains.GetGrain<IAgentVectorOutboxGrain>(Tenant + "/" + a).FlushVectorOutboxAsync(cancellationToken))).ConfigureAwait(false);
            var seedSeconds = seed.Elapsed.TotalSeconds;
            calls.Recording = false;
            var index = grains.GetGrain<ITenantIndexGrain>(Tenant);
            var table = await index.GetTableAsync(cancellationToken).ConfigureAwait(false);
            var vectors = (await Task.WhenAll(table.ShardKeys.Select(k => grains.GetGrain<IVectorShardGrain>(k).CountAsync(cancellationToken))).ConfigureAwait(false)).Sum();
            var pending = (await index.GetPendingAgentsAsync(cancellationToken).ConfigureAwait(false)).Count;
            progress?.WriteLine($"bench consensus: written in {seedSeconds:F1} s; the shards hold {vectors} vectors; {pending} agents pending");

            // The lookups: one source per asking agent, as each agent grain holds one; a fixed policy, so the group's
            // members are read once per agent (during the warm-up), as the grain reads them once per policy refresh.
            var policy = new AgentGuardPolicy(true, [Group]);
            var shardPeers = facts.Agents.ToDictionary(
                a => a, a => new ShardConsensusPeers(grains, host.Services, Tenant, a, () => policy), StringComparer.Ordinal);
            foreach (var source in shardPeers.Values)
            {
                await source.LookUpAsync([facts.Subjects[0]], cancellationToken).ConfigureAwait(false);
            }

            progress?.WriteLine($"bench consensus: {options.WarmUp} warm-up lookups, then {options.Queries} weak claims looked up both ways (alternating which goes first)");
            var guardLog = new LatencyLog();
            var shardLog = new LatencyLog();
            var results = new List<(WeakClaim Claim, IReadOnlyList<ConsensusClaim> Guard, ShardConsensusLookup Shards)>(options.Queries);
            for (var i = 0; i < facts.Claims.Count; i++)
            {
                var claim = facts.Claims[i];
                IReadOnlyList<string> subjects = [claim.Claim.Subject];
                async Task<(IReadOnlyList<ConsensusClaim> Claims, long Ticks)> ViaGuardAsync()
                {
                    var start = Stopwatch.GetTimestamp();
                    var found = await guard.GetPeerClaimsAsync(claim.Asker, subjects, cancellationToken).ConfigureAwait(false);
                    return (found, Stopwatch.GetTimestamp() - start);
                }

                async Task<(ShardConsensusLookup Lookup, long Ticks)> ViaShardsAsync()
                {
                    var start = Stopwatch.GetTimestamp();
                    var found = await shardPeers[claim.Asker].LookUpAsync(subjects, cancellationToken).ConfigureAwait(false);
                    return (found, Stopwatch.GetTimestamp() - start);
                }

                (IReadOnlyList<ConsensusClaim> Claims, long Ticks) a;
                (ShardConsensusLookup Lookup, long Ticks) b;
                if (i % 2 == 0)
                {
                    a = await ViaGuardAsync().ConfigureAwait(false);
                    b = await ViaShardsAsync().ConfigureAwait(false);
                }
                else
                {
                    b = await ViaShardsAsync().ConfigureAwait(false);
                    a = await ViaGuardAsync().ConfigureAwait(false);
                }

                if (i >= options.WarmUp)
                {
                    guardLog.Add(a.Ticks);
                    shardLog.Add(b.Ticks);
                    results.Add((claim, a.Claims, b.Lookup));
                }
            }

            progress?.WriteLine("bench consensus: the guard's verdicts on each weak claim, given each path's claims");
            var agreement = await CompareAsync(facts, results, embedder, cancellationToken).ConfigureAwait(false);
            return new ConsensusBenchmarkReport
            {
                Agents = facts.Agents.Count,
                NotesPerAgent = options.NotesPerAgent,
                Notes = notes,
                Subjects = facts.Subjects.Count,
                MeanAgentsPerSubject = Math.Round(facts.MeanAgentsPerSubject, 2),
                Queries = results.Count,
                QueriesByKind = results.GroupBy(r => r.Claim.Kind).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
                Embedder = $"hashing, {options.Dimensions} dimensions",
                Shards = table.ShardCount,
                Candidates = options.Candidates,
                Processors = Environment.ProcessorCount,
                SeedSeconds = Math.Round(seedSeconds, 2),
                VectorsInShards = vectors,
                PendingAgentsAtLookups = pending,
                Publish = calls.Summary("ITenantGuardGrain.PublishClaimsAsync", notes),
                ShardUpserts = calls.Summary("IVectorShardGrain.UpsertAsync", notes),
                PendingMarks = calls.Summary("ITenantIndexGrain.MarkPendingAsync", notes, "ITenantIndexGrain.MarkFlushedAsync"),
                GuardLookup = LatencyLog.Summarize([guardLog]),
                ShardLookup = LatencyLog.Summarize([shardLog]),
                MeanShardHits = Math.Round(results.Average(r => r.Shards.Hits), 1),
                MeanAgentsDescribing = Math.Round(results.Average(r => r.Shards.AgentsDescribing), 1),
                AgentsAskedDirectly = results.Sum(r => r.Shards.AgentsAskedDirectly),
                Agreement = agreement,
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

    // The claims each path returned, compared; and the verdict of the asking agent's consensus screen on its weak claim
    // given each path's claims: a copy of its trusted notes and the weak note in an engine of its own, whose peers are
    // the claims the path returned, searched for the weak note (the screen quarantines it or not).
    private static async Task<ConsensusAgreement> CompareAsync(
        ConsensusFacts facts, List<(WeakClaim Claim, IReadOnlyList<ConsensusClaim> Guard, ShardConsensusLookup Shards)> results,
        IEmbeddingGenerator<string, Embedding<float>> embedder, CancellationToken cancellationToken)
    {
        static HashSet<string> Keys(IEnumerable<ConsensusClaim> claims) =>
            new(claims.Select(c => $"{c.Agent}|{c.Subject.Trim()}|{c.Attribute.Trim()}|{c.Value.Trim()}|{c.Sources}".ToLowerInvariant()), StringComparer.Ordinal);

        var identical = 0;
        var onlyGuard = 0;
        var onlyShards = 0;
        var flaggedGuard = 0;
        var flaggedShards = 0;
        var agree = 0;
        var sameReasons = 0;
        var mismatches = new List<ConsensusMismatch>();
        foreach (var (claim, viaGuard, viaShards) in results)
        {
            var a = Keys(viaGuard);
            var b = Keys(viaShards.Claims);
            identical += a.SetEquals(b) ? 1 : 0;
            onlyGuard += a.Count(k => !b.Contains(k));
            onlyShards += b.Count(k => !a.Contains(k));
            var guardVerdict = await VerdictAsync(facts, claim, viaGuard, embedder, cancellationToken).ConfigureAwait(false);
            var shardVerdict = await VerdictAsync(facts, claim, viaShards.Claims, embedder, cancellationToken).ConfigureAwait(false);
            flaggedGuard += guardVerdict is null ? 0 : 1;
            flaggedShards += shardVerdict is null ? 0 : 1;
            if ((guardVerdict is null) == (shardVerdict is null))
            {
                agree++;
                sameReasons += string.Equals(guardVerdict, shardVerdict, StringComparison.Ordinal) ? 1 : 0;
            }
            else
            {
                mismatches.Add(new ConsensusMismatch(claim.Asker, claim.Claim.Subject, claim.Claim.Attribute, claim.Claim.Value, claim.Kind, guardVerdict, shardVerdict));
            }
        }

        return new ConsensusAgreement
        {
            ClaimSetsIdentical = identical,
            ClaimsOnlyThroughGuard = onlyGuard,
            ClaimsOnlyThroughShards = onlyShards,
            FlaggedThroughGuard = flaggedGuard,
            FlaggedThroughShards = flaggedShards,
            VerdictsAgree = agree,
            VerdictsWithTheSameReason = sameReasons,
            Mismatches = mismatches,
        };
    }

    // The reason the screen quarantined the weak note for, or null when it kept it.
    private static async Task<string?> VerdictAsync(
        ConsensusFacts facts, WeakClaim claim, IReadOnlyList<ConsensusClaim> peers, IEmbeddingGenerator<string, Embedding<float>> embedder, CancellationToken cancellationToken)
    {
        var memory = new AgentMemory(new AgentMemoryOptions(), TimeProvider.System, embedder) { ConsensusPeers = new FixedPeers(peers) };
        foreach (var fact in facts.Notes[claim.Asker])
        {
            await memory.AddNoteAsync(fact.Trusted(), cancellationToken).ConfigureAwait(false);
        }

        var weak = await memory.AddNoteAsync(claim.Claim.Weak(), cancellationToken).ConfigureAwait(false);
        await memory.SearchAsync(new SearchRequest { Query = claim.Claim.Text, Limit = 10 }, cancellationToken).ConfigureAwait(false);
        var entries = await memory.GetQuarantineAsync(cancellationToken).ConfigureAwait(false);
        return entries.FirstOrDefault(e => e.ItemId == weak.Note.Id)?.Reason;
    }

    // The peers' claims one path returned, as the engine's consensus sees them.
    private sealed class FixedPeers(IReadOnlyList<ConsensusClaim> claims) : IConsensusPeers
    {
        public Task<IReadOnlyList<ConsensusClaim>> GetClaimsAsync(IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default) =>
            Task.FromResult(claims);
    }

    // The silo's incoming calls that carry each path's data, timed in the callee while the notes are written.
    private sealed class WriteCalls : IIncomingGrainCallFilter
    {
        private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
        private readonly Lock _lock = new();
        private readonly Dictionary<string, (LatencyLog Log, long Items, long Bytes)> _calls = new(StringComparer.Ordinal);

        public bool Recording { get; set; }

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (!Recording)
            {
                await context.Invoke().ConfigureAwait(false);
                return;
            }

            var start = Stopwatch.GetTimestamp();
            await context.Invoke().ConfigureAwait(false);
            var ticks = Stopwatch.GetTimestamp() - start;
            var name = context.InterfaceMethod?.DeclaringType?.Name + "." + context.InterfaceMethod?.Name;
            var (items, bytes) = name switch
            {
                "ITenantGuardGrain.PublishClaimsAsync" when context.Request.GetArgument(1) is IReadOnlyList<ConsensusClaim> claims =>
                    (claims.Count, JsonSerializer.SerializeToUtf8Bytes(claims.Select(c => c with { Agent = null }), Json).LongLength),
                "IVectorShardGrain.UpsertAsync" when context.Request.GetArgument(0) is IReadOnlyList<VectorShardEntry> entries =>
                    (entries.Count, entries.Sum(e => (e.Vector.Length * 4L) + Encoding.UTF8.GetByteCount(e.Key))),
                _ => (0L, 0L),
            };
            lock (_lock)
            {
                (LatencyLog Log, long Items, long Bytes) entry = _calls.TryGetValue(name, out var found) ? found : (new LatencyLog(), 0L, 0L);
                entry.Log.Add(ticks);
                _calls[name] = (entry.Log, entry.Items + items, entry.Bytes + bytes);
            }
        }

        public ConsensusWriteCost Summary(string name, int notes, string? also = null)
        {
            lock (_lock)
            {
                var logs = _calls.Where(c => c.Key == name || c.Key == also).Select(c => c.Value).ToList();
                var latency = LatencyLog.Summarize(logs.Select(l => l.Log));
                var totalMs = latency.MeanMs * latency.Count;
                return new ConsensusWriteCost
                {
                    Calls = latency.Count,
                    Items = logs.Sum(l => l.Items),
                    Bytes = logs.Sum(l => l.Bytes),
                    P50Ms = latency.P50Ms,
                    P99Ms = latency.P99Ms,
                    TotalMs = Math.Round(totalMs, 1),
                    MsPerNote = notes == 0 ? 0 : Math.Round(totalMs / notes, 3),
                };
            }
        }
    }
}
