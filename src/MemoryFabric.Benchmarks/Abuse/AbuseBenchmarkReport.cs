using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MemoryFabric.Benchmarks.Abuse;

/// <summary>What <c>memfab bench abuse</c> measured: the good tenant's searches alone and under the flood, and what
/// the flood's requests got.</summary>
public sealed record AbuseBenchmarkReport
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Flood clients.</summary>
    public required int FloodClients { get; init; }

    /// <summary>The flood's offered requests per second (0: as fast as the server answers).</summary>
    public required double FloodRequestsPerSecond { get; init; }

    /// <summary>Whether each flood request carried a fresh random key.</summary>
    public required bool DistinctKeys { get; init; }

    /// <summary>The address the flood connected from (<see langword="null"/>: the default, like the good tenant).</summary>
    public string? FloodSourceAddress { get; init; }

    /// <summary>The good tenant's offered searches per second.</summary>
    public required double SearchesPerSecond { get; init; }

    /// <summary>Logical processors of the machine.</summary>
    public required int Processors { get; init; }

    /// <summary>The one-minute load average when the run started (Linux), or <see langword="null"/>.</summary>
    public double? LoadAverageAtStart { get; init; }

    /// <summary>The good tenant's searches with no flood.</summary>
    public required AbuseSearchPhase Alone { get; init; }

    /// <summary>The good tenant's searches during the flood.</summary>
    public required AbuseSearchPhase UnderFlood { get; init; }

    /// <summary>The flood's requests.</summary>
    public required AbuseFloodResult Flood { get; init; }

    /// <summary>Serializes the report.</summary>
    /// <returns>Indented JSON with snake_case names.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Renders the report as a markdown table.</summary>
    /// <returns>The table, with a line on the flood.</returns>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"memfab bench abuse: {Processors} cores, load average {(LoadAverageAtStart is { } l ? l.ToString("0.00", c) : "n/a")} at start; good tenant {SearchesPerSecond:0.#} searches/s (open loop); flood {FloodClients} clients {(FloodRequestsPerSecond > 0 ? $"offering {FloodRequestsPerSecond:0.#} requests/s in all" : "as fast as answered")}, {(DistinctKeys ? "a fresh random key per request" : "one unknown key per client")}, from {FloodSourceAddress ?? "the default address"}");
        text.AppendLine();
        text.AppendLine("| good tenant's searches | requests | failed | p50 ms | p99 ms | max ms |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        Row(text, "alone", Alone);
        Row(text, "under the flood", UnderFlood);
        text.AppendLine();
        text.AppendLine("| flood | requests | seconds | requests/s | 401 | 429 | other |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        text.AppendLine(c, $"| unknown keys | {Flood.Requests:N0} | {Flood.Seconds:0.0} | {Flood.RequestsPerSecond:N0} | {Flood.Unauthorized:N0} | {Flood.TooManyRequests:N0} | {Flood.Other:N0} |");
        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, AbuseSearchPhase phase) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {phase.Requests:N0} | {phase.Failed:N0} | {phase.P50Ms:0.00} | {phase.P99Ms:0.00} | {phase.MaxMs:0.00} |");
}

/// <summary>The good tenant's searches in one phase; latency from each search's scheduled start.</summary>
public sealed record AbuseSearchPhase
{
    /// <summary>Searches that completed (successful or not).</summary>
    public required int Requests { get; init; }

    /// <summary>Searches that failed (any status other than 200, or no answer).</summary>
    public required int Failed { get; init; }

    /// <summary>Median latency of the successful searches.</summary>
    public required double P50Ms { get; init; }

    /// <summary>99th percentile (nearest rank) of the successful searches.</summary>
    public required double P99Ms { get; init; }

    /// <summary>The slowest successful search.</summary>
    public required double MaxMs { get; init; }
}

/// <summary>The flood's requests, by the status they got.</summary>
public sealed record AbuseFloodResult
{
    /// <summary>Requests answered (or failed) during the flood.</summary>
    public required long Requests { get; init; }

    /// <summary>How long the flood ran.</summary>
    public required double Seconds { get; init; }

    /// <summary><see cref="Requests"/> per second.</summary>
    public double RequestsPerSecond => Seconds > 0 ? Requests / Seconds : 0;

    /// <summary>Requests answered 401 (the unknown key looked up and refused).</summary>
    public required long Unauthorized { get; init; }

    /// <summary>Requests answered 429 (refused before authentication by the client-address limit).</summary>
    public required long TooManyRequests { get; init; }

    /// <summary>Requests with any other outcome (another status, a transport error).</summary>
    public required long Other { get; init; }
}
