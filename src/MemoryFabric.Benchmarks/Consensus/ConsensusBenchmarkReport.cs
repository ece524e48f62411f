using System.Globalization;
using System.Text;
using System.Text.Json;
using MemoryFabric.Benchmarks.Http;

namespace MemoryFabric.Benchmarks.Consensus;

/// <summary>What <c>memfab bench consensus</c> measured: a relation group's consensus lookups through the tenant's
/// guard grain and through the tenant's shards, what each path's data costs on the write side, and whether the two
/// agree.</summary>
public sealed record ConsensusBenchmarkReport
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Agents in the relation group.</summary>
    public required int Agents { get; init; }

    /// <summary>Trusted notes per agent.</summary>
    public required int NotesPerAgent { get; init; }

    /// <summary>Trusted notes written in all.</summary>
    public required int Notes { get; init; }

    /// <summary>People the notes are about.</summary>
    public required int Subjects { get; init; }

    /// <summary>The mean number of agents holding a note about a person some agent knows.</summary>
    public required double MeanAgentsPerSubject { get; init; }

    /// <summary>Weak claims measured (warm-up excluded).</summary>
    public required int Queries { get; init; }

    /// <summary>The measured claims by how they were drawn.</summary>
    public required IReadOnlyDictionary<string, int> QueriesByKind { get; init; }

    /// <summary>The embedder of the agents and of the shards' queries.</summary>
    public required string Embedder { get; init; }

    /// <summary>The tenant's shards.</summary>
    public required int Shards { get; init; }

    /// <summary>Note hits per subject through the shards.</summary>
    public required int Candidates { get; init; }

    /// <summary>Logical processors of the machine.</summary>
    public required int Processors { get; init; }

    /// <summary>Seconds to write every note (acknowledged, published, mirrored and flushed).</summary>
    public required double SeedSeconds { get; init; }

    /// <summary>Vectors the shards hold when the lookups start.</summary>
    public required int VectorsInShards { get; init; }

    /// <summary>Agents the tenant index listed as pending when the lookups started (asked directly by the shard path).</summary>
    public required int PendingAgentsAtLookups { get; init; }

    /// <summary>Today's path's write side: the agents' publishes of their trusted claims to the guard grain.</summary>
    public required ConsensusWriteCost Publish { get; init; }

    /// <summary>The shard path's write side: the outboxes' upserts into the shards.</summary>
    public required ConsensusWriteCost ShardUpserts { get; init; }

    /// <summary>The shard path's write side: the outboxes' pending and flushed marks in the tenant index.</summary>
    public required ConsensusWriteCost PendingMarks { get; init; }

    /// <summary>Lookups through the guard grain.</summary>
    public required LatencySummary GuardLookup { get; init; }

    /// <summary>Lookups through the shards.</summary>
    public required LatencySummary ShardLookup { get; init; }

    /// <summary>Peers' notes the shards returned per lookup, on average.</summary>
    public required double MeanShardHits { get; init; }

    /// <summary>Peers asked which claims their hits back, per lookup, on average (one grain call each).</summary>
    public required double MeanAgentsDescribing { get; init; }

    /// <summary>Pending peers asked directly, all lookups together.</summary>
    public required int AgentsAskedDirectly { get; init; }

    /// <summary>Whether the two paths agree.</summary>
    public required ConsensusAgreement Agreement { get; init; }

    /// <summary>Serializes the report.</summary>
    /// <returns>Indented JSON with snake_case names.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Renders the report as markdown tables.</summary>
    /// <returns>The text.</returns>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"memfab bench consensus: one relation group of {Agents} agents, {Notes} trusted notes ({NotesPerAgent} each) about {Subjects} people "
            + $"({MeanAgentsPerSubject:0.0} agents know each on average); {Queries} weak claims ({string.Join(", ", QueriesByKind.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Value} {k.Key}"))}); "
            + $"{Embedder}; {Shards} shards, {Candidates} note hits per subject; {Processors} cores; in-process silo, SQLite store");
        text.AppendLine();
        text.AppendLine("| consensus lookup (one weak claim) | p50 ms | p90 ms | p99 ms | mean ms | max ms |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        Row(text, "today: the guard grain's published claims", GuardLookup);
        Row(text, $"through the shards ({MeanShardHits:0.#} hits, {MeanAgentsDescribing:0.#} agents asked per lookup)", ShardLookup);
        text.AppendLine();
        text.AppendLine(c, $"| write side, while the {Notes} notes were written ({SeedSeconds:0.0} s) | calls | items | bytes | p50 ms | p99 ms | total ms | ms per note |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        Cost(text, "today: publishes to the guard grain (claims)", Publish);
        Cost(text, "shards: upserts (vectors)", ShardUpserts);
        Cost(text, "shards: pending/flushed marks in the tenant index", PendingMarks);
        text.AppendLine();
        var a = Agreement;
        text.AppendLine(c, $"same claims: {a.ClaimSetsIdentical} of {Queries} lookups ({a.ClaimsOnlyThroughGuard} claims only through the guard grain, {a.ClaimsOnlyThroughShards} only through the shards)");
        text.AppendLine(c, $"verdicts: {a.VerdictsAgree} of {Queries} agree ({a.VerdictsWithTheSameReason} with the same reason); flagged {a.FlaggedThroughGuard} through the guard grain, {a.FlaggedThroughShards} through the shards; {a.Mismatches.Count} mismatches");
        foreach (var m in a.Mismatches.Take(10))
        {
            text.AppendLine(c, $"  {m.Asker}: {m.Subject} {m.Attribute} = {m.Value} ({m.Kind}): guard grain {(m.ThroughGuard is null ? "kept" : "flagged")}, shards {(m.ThroughShards is null ? "kept" : "flagged")}");
        }

        text.AppendLine(c, $"pending agents when the lookups started: {PendingAgentsAtLookups}; asked directly: {AgentsAskedDirectly}; vectors in the shards: {VectorsInShards}");
        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, LatencySummary s) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {s.P50Ms:0.000} | {s.P90Ms:0.000} | {s.P99Ms:0.000} | {s.MeanMs:0.000} | {s.MaxMs:0.000} |");

    private static void Cost(StringBuilder text, string name, ConsensusWriteCost s) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {s.Calls} | {s.Items} | {s.Bytes} | {s.P50Ms:0.000} | {s.P99Ms:0.000} | {s.TotalMs:0.0} | {s.MsPerNote:0.000} |");
}

/// <summary>The silo's incoming calls of one kind while the notes were written, timed in the callee.</summary>
public sealed record ConsensusWriteCost
{
    /// <summary>Calls.</summary>
    public long Calls { get; init; }

    /// <summary>What they carried: claims published, or vectors upserted.</summary>
    public long Items { get; init; }

    /// <summary>The payload: the claims as the guard grain stores them (JSON), or the vectors (4 bytes a dimension) and
    /// their keys.</summary>
    public long Bytes { get; init; }

    /// <summary>The median call.</summary>
    public double P50Ms { get; init; }

    /// <summary>The 99th percentile.</summary>
    public double P99Ms { get; init; }

    /// <summary>All calls together.</summary>
    public double TotalMs { get; init; }

    /// <summary>All calls together per note written.</summary>
    public double MsPerNote { get; init; }
}

/// <summary>How the two paths' answers compare.</summary>
public sealed record ConsensusAgreement
{
    /// <summary>Lookups where both paths returned the same claims (agent, subject, attribute, value, sources).</summary>
    public int ClaimSetsIdentical { get; init; }

    /// <summary>Claims only the guard grain returned (all lookups together): what the shards' search missed.</summary>
    public int ClaimsOnlyThroughGuard { get; init; }

    /// <summary>Claims only the shards returned (all lookups together).</summary>
    public int ClaimsOnlyThroughShards { get; init; }

    /// <summary>Weak claims the screen quarantined given the guard grain's claims.</summary>
    public int FlaggedThroughGuard { get; init; }

    /// <summary>Weak claims the screen quarantined given the shards' claims.</summary>
    public int FlaggedThroughShards { get; init; }

    /// <summary>Weak claims both flagged or both kept.</summary>
    public int VerdictsAgree { get; init; }

    /// <summary>Of those, the ones with the same reason (or both kept).</summary>
    public int VerdictsWithTheSameReason { get; init; }

    /// <summary>The weak claims one path flagged and the other kept.</summary>
    public required IReadOnlyList<ConsensusMismatch> Mismatches { get; init; }
}

/// <summary>A weak claim the two paths judged differently.</summary>
/// <param name="Asker">The asking agent.</param>
/// <param name="Subject">The claim's subject.</param>
/// <param name="Attribute">Its attribute.</param>
/// <param name="Value">Its value.</param>
/// <param name="Kind">How it was drawn.</param>
/// <param name="ThroughGuard">The quarantine reason given the guard grain's claims, or <see langword="null"/> (kept).</param>
/// <param name="ThroughShards">The quarantine reason given the shards' claims, or <see langword="null"/> (kept).</param>
public sealed record ConsensusMismatch(string Asker, string Subject, string Attribute, string Value, string Kind, string? ThroughGuard, string? ThroughShards);
