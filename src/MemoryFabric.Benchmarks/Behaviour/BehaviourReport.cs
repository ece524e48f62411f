using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MemoryFabric.Benchmarks.Behaviour;

/// <summary>What <c>memfab bench behaviour</c> measured.</summary>
public sealed record BehaviourReport
{
    /// <summary>The server's embedder (as it reports itself, or "external").</summary>
    public required string Embedder { get; init; }

    /// <summary>Read-after-write, one entry per mode (turns, notes, context).</summary>
    public required IReadOnlyList<ReadAfterWriteResult> ReadAfterWrite { get; init; }

    /// <summary>Paraphrased notes and repeated turns.</summary>
    public required DuplicateResult Duplicates { get; init; }

    /// <summary>A fact that changed: does the new one rank first, and does the old one say it is stale.</summary>
    public required StaleFactResult StaleFact { get; init; }

    /// <summary>Searches while the agent consolidates, or null when skipped.</summary>
    public ConsolidationProbeResult? Consolidation { get; init; }

    /// <summary>The report as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>The report as a markdown table with the issue's targets beside the results.</summary>
    /// <returns>The markdown.</returns>
    public string ToMarkdown()
    {
        var b = new StringBuilder();
        b.AppendLine(Invariant($"memfab bench behaviour (embedder: {Embedder})"));
        b.AppendLine();
        b.AppendLine("| check | result | target |");
        b.AppendLine("|---|---|---|");
        foreach (var r in ReadAfterWrite)
        {
            b.AppendLine(Invariant($"| read-after-write, {r.Mode}: found at once ({r.Where}) | {r.Found}/{r.Total} | ≥ {r.Total - (r.Total / 200)}/{r.Total} |"));
        }

        b.AppendLine(Invariant($"| 5 paraphrases through POST /notes: active notes | {Duplicates.ParaphraseActiveNotes} ({string.Join(", ", Duplicates.ParaphraseOperations)}) | 1 |"));
        b.AppendLine(Invariant($"| 5 identical turns: copies in a verbatim context | {Duplicates.IdenticalTurnCopiesInContext} | 1 |"));
        b.AppendLine(Invariant($"| moved city: queries that rank the new city first | {StaleFact.SuccessorFirst}/{StaleFact.Queries.Count} | {StaleFact.Queries.Count}/{StaleFact.Queries.Count} |"));
        b.AppendLine(Invariant($"| moved city: old-city turn and note hits marked stale | {StaleFact.StaleHitsMarked}/{StaleFact.StaleHits} | {StaleFact.StaleHits}/{StaleFact.StaleHits} |"));
        if (Consolidation is { } c)
        {
            b.AppendLine(Invariant($"| search p99 on one agent, idle ({c.IdleSearches} searches, one at a time) | {c.IdleP99Ms:F1} ms (p50 {c.IdleP50Ms:F1}) | |"));
            b.AppendLine(Invariant($"| search p99 while it consolidates {c.Turns:N0} {c.Texts} turns ({c.ConsolidationSeconds:F2} s; {c.Searches} searches at 100/s until 1 s after) | {c.P99Ms:F1} ms (p50 {c.P50Ms:F1}, max {c.MaxMs:F1}) | ≤ 50 ms |"));
        }

        var misses = ReadAfterWrite.Where(r => r.Misses.Count > 0).ToList();
        if (misses.Count > 0)
        {
            b.AppendLine();
            foreach (var r in misses)
            {
                b.AppendLine(Invariant($"{r.Mode} misses (first {r.Misses.Count}): {string.Join("; ", r.Misses)}"));
            }
        }

        b.AppendLine();
        foreach (var q in StaleFact.Queries)
        {
            b.AppendLine(Invariant($"\"{q.Query}\": new city at rank {Rank(q.SuccessorRank)}, old city at rank {Rank(q.StaleRank)}"));
        }

        return b.ToString();
    }

    private static string Rank(int? rank) => rank?.ToString(CultureInfo.InvariantCulture) ?? "–";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}

/// <summary>Facts written one at a time, each looked for the moment its write returned.</summary>
/// <param name="Mode">turns, notes or context.</param>
/// <param name="Where">What counted as found.</param>
/// <param name="Total">Facts written.</param>
/// <param name="Found">Facts found.</param>
/// <param name="Misses">The first few facts not found.</param>
public sealed record ReadAfterWriteResult(string Mode, string Where, int Total, int Found, IReadOnlyList<string> Misses);

/// <summary>Duplicates.</summary>
/// <param name="ParaphraseActiveNotes">Active notes after five paraphrases of one fact were written as notes.</param>
/// <param name="ParaphraseOperations">What each of the five writes answered.</param>
/// <param name="IdenticalTurnCopiesInContext">How often one of five identical turns appears in a verbatim context.</param>
public sealed record DuplicateResult(int ParaphraseActiveNotes, IReadOnlyList<string> ParaphraseOperations, int IdenticalTurnCopiesInContext);

/// <summary>"I live in Paris", later "I moved to Berlin", consolidated, then asked about.</summary>
/// <param name="Queries">Each query's ranks.</param>
/// <param name="SuccessorFirst">Queries whose best new-city hit ranks above every old-city hit.</param>
/// <param name="StaleHits">Old-city turn and note hits returned over all queries (episodes, which tell more than the
/// one fact, are left out).</param>
/// <param name="StaleHitsMarked">Of those, the ones whose status is not active.</param>
public sealed record StaleFactResult(IReadOnlyList<StaleQuery> Queries, int SuccessorFirst, int StaleHits, int StaleHitsMarked);

/// <summary>One query of the stale-fact check.</summary>
/// <param name="Query">The query.</param>
/// <param name="SuccessorRank">The 1-based rank of the best hit that states the new city.</param>
/// <param name="StaleRank">The 1-based rank of the best hit that states the old city only.</param>
public sealed record StaleQuery(string Query, int? SuccessorRank, int? StaleRank);

/// <summary>Searches on a fixed schedule (100 a second) while one agent consolidates, and until a second after.</summary>
/// <param name="Texts">Where the turns come from: <c>locomo</c> (the dataset's conversations) or <c>facts</c>.</param>
/// <param name="Turns">The agent's turns, none consolidated before.</param>
/// <param name="ConsolidationSeconds">How long the consolidation request took.</param>
/// <param name="Searches">Searches issued from the request until a second after it returned.</param>
/// <param name="P50Ms">Their median latency, from the scheduled time.</param>
/// <param name="P99Ms">Their 99th percentile.</param>
/// <param name="MaxMs">Their slowest.</param>
/// <param name="IdleSearches">Searches on the same agent before, one at a time, nothing else running.</param>
/// <param name="IdleP50Ms">Their median.</param>
/// <param name="IdleP99Ms">Their 99th percentile.</param>
public sealed record ConsolidationProbeResult(
    string Texts, int Turns, double ConsolidationSeconds, int Searches, double P50Ms, double P99Ms, double MaxMs, int IdleSearches, double IdleP50Ms, double IdleP99Ms);
