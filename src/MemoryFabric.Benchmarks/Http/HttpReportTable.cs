using System.Globalization;
using System.Text;

namespace MemoryFabric.Benchmarks.Http;

/// <summary>Renders an <see cref="HttpBenchmarkReport"/> as markdown: the targets beside the results, then every
/// phase.</summary>
public static class HttpReportTable
{
    /// <summary>Renders the report.</summary>
    /// <param name="report">The report.</param>
    /// <returns>Markdown.</returns>
    public static string Render(HttpBenchmarkReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        var p = report.Parameters;
        var m = report.Machine;
        var t = report.Targets;
        var text = new StringBuilder();
        text.AppendLine("## memfab bench http");
        text.AppendLine();
        var offered = p.OfferedRequestsPerSecond > 0
            ? string.Format(c, "at {0:N0} requests/s offered (open loop)", p.OfferedRequestsPerSecond)
            : "in closed loop";
        text.AppendLine(c, $"{p.Agents:N0} agents × {p.TurnsPerAgent:N0} turns ({p.Texts} texts, batches of {p.BatchSize}), then {p.SearchShare:P0} search / "
            + $"{1 - p.SearchShare:P0} ingest of {p.MixedIngestBatch} turns from {p.Connections} connections {offered} for {p.DurationSeconds:0.#} s "
            + $"(after {p.WarmupSeconds:0.#} s warm-up); embedder {report.Embedder}; server {report.Server} on loopback.");
        text.AppendLine();
        text.AppendLine(c, $"Machine: {m.ProcessorCount} cores{(m.Cpu is null ? string.Empty : " (" + m.Cpu + ")")}, {m.Os}, {m.Framework}, "
            + $"{(m.ServerGc ? "server" : "workstation")} GC{(report.Server == "in-process" ? "; the load generator shares the cores with the server" : string.Empty)}"
            + $"{(m.LoadAverageStart is { } start && m.LoadAverageEnd is { } end ? string.Create(c, $"; load average {start:F2} at the start, {end:F2} at the end") : string.Empty)}.");
        text.AppendLine();

        text.AppendLine("| target (2 cores) | result | met |");
        text.AppendLine("|---|---:|:---:|");
        var search = report.Mixed.Search.Latency;
        text.AppendLine(c, $"| search p99 ≤ {t.SearchP99Ms:0.#} ms | {Ms(search.P99Ms, search.Count)} | {Met(t.SearchP99Met)} |");
        text.AppendLine(c, $"| … at ≥ {t.RequestsPerSecond:N0} requests/s (mixed) | {report.Mixed.RequestsPerSecond:N0} requests/s | {Met(t.RequestsPerSecondMet)} |");
        text.AppendLine(c, $"| batched ingest ≥ {t.IngestTurnsPerSecond:N0} turns/s | {report.Ingest.TurnsPerSecond:N0} turns/s | {Met(t.IngestMet)} |");
        if (report.ColdActivation is { } cold)
        {
            text.AppendLine(c, $"| cold activation ({cold.Turns:N0} turns; first request in a fresh server process) ≤ {t.ColdActivationMs:0.#} ms | {cold.ColdMedianMs:F1} ms (median of {cold.ColdMs.Count}; max {cold.ColdMaxMs:F1}) | {Met(t.ColdActivationMet)} |");
            text.AppendLine(c, $"| fresh server process to first answer for that agent (no target) | {cold.StartToAnswerMedianMs:F1} ms (median; max {cold.StartToAnswerMaxMs:F1}); page cache {(cold.PageCache?.StartsWith("warm", StringComparison.Ordinal) == true ? "warm" : "dropped")} | – |");
            if (cold.InWarmProcessMedianMs is { } inWarm)
            {
                text.AppendLine(c, $"| the same activation in a fresh process that first answered for another agent (no target) | {inWarm:F1} ms (median of {cold.InWarmProcessMs.Count}; max {cold.InWarmProcessMs.Max():F1}) | – |");
            }

            text.AppendLine(c, $"| that agent's first search after the activation (no target) | {cold.FirstSearchMedianMs:F1} ms (median; then {cold.SearchMedianMs:F1} ms) | – |");
        }
        else
        {
            text.AppendLine(c, $"| cold activation ≤ {t.ColdActivationMs:0.#} ms | not measured ({report.ColdActivationSkipped}) | – |");
        }

        text.AppendLine();
        text.AppendLine("| phase | operation | requests | per s | p50 ms | p90 ms | p99 ms | max ms | errors |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        var ingest = report.Ingest;
        Row("ingest", $"batch of {p.BatchSize} turns", ingest.Batches, ingest.Batches / Math.Max(ingest.Seconds, 1e-9), ingest.BatchLatency, ingest.Errors.Total);
        var mixed = report.Mixed;
        Row("mixed", "search", mixed.Search.Count, mixed.Search.RequestsPerSecond, mixed.Search.Latency, mixed.Search.Errors.Total);
        Row("mixed", $"ingest of {p.MixedIngestBatch} turns", mixed.Ingest.Count, mixed.Ingest.RequestsPerSecond, mixed.Ingest.Latency, mixed.Ingest.Errors.Total);
        if (report.ColdActivation is { } setup)
        {
            Row("cold set-up", $"batch of {p.BatchSize} turns, one agent", setup.Ingest.Batches, setup.Ingest.Batches / Math.Max(setup.Ingest.Seconds, 1e-9), setup.Ingest.BatchLatency, setup.Ingest.Errors.Total);
        }

        text.AppendLine();
        text.AppendLine(c, $"- Ingest: {ingest.Turns:N0} turns acknowledged (durable) in {ingest.Seconds:F1} s = {ingest.TurnsPerSecond:N0} turns/s.");
        var drain = report.Drain;
        var drainState = drain.Capped ? string.Create(c, $"capped at {drain.CapSeconds:0} s with {drain.PendingEmbeddings:N0} embeddings pending")
            : drain.Stalled ? string.Create(c, $"stopped after {drain.Seconds:F1} s: {drain.PendingEmbeddings:N0} embeddings pending and not decreasing")
            : string.Create(c, $"done in {drain.Seconds:F1} s");
        if (drain.AgentsWrittenToUnstall > 0)
        {
            drainState += string.Create(c, $" (after writing one turn to {drain.AgentsWrittenToUnstall} agents whose pending embeddings had stopped decreasing: a consolidation's new items wait for the agent's next write)");
        }

        text.AppendLine(c, $"- Drain: {drainState}; "
            + $"dense index caught up {Seconds(drain.EmbeddingsSeconds)} after the ingest; consolidations triggered by new turns (every {p.ConsolidateAfterTurns:N0}): "
            + $"{(drain.ConsolidationsExpected == 0 ? "none expected" : $"{drain.ConsolidationsRan?.ToString(c) ?? "?"} of {drain.ConsolidationsExpected} ran, done {Seconds(drain.ConsolidationSeconds)}")}; "
            + $"{drain.Episodes:N0} episodes, {drain.Notes:N0} notes.");
        text.AppendLine(c, $"- Mixed: {mixed.Requests:N0} requests = {mixed.RequestsPerSecond:N0}/s; {mixed.IngestedTurns:N0} turns stored; {mixed.EmptySearches:N0} searches without hits; {mixed.DegradedSearches:N0} searches answered degraded ({mixed.DegradedShare:P1}: lexical only, the query could not get the embedder within its deadline).");
        if (mixed.Server is { } server)
        {
            var slowShare = server.SearchRequestsOver25MsShare is { } slow ? string.Create(c, $"; {slow:P1} of search requests took the server over 25 ms.") : ".";
            text.AppendLine(c, $"- Inside the server (mixed, means): search request {Opt(server.SearchRequestMeanMs)} ms (client-side mean {mixed.Search.Latency.MeanMs:F2} ms), "
                + $"ingest request {Opt(server.IngestRequestMeanMs)} ms (client-side {mixed.Ingest.Latency.MeanMs:F2} ms), "
                + $"agent actor call {Opt(server.AgentCallMeanMs)} ms ({server.AgentCalls:N0} calls); {server.EmbeddingsIndexed:N0} items embedded, "
                + $"{server.Consolidations:N0} consolidations, {server.SnapshotsWritten:N0} snapshots{slowShare}");
        }

        var process = mixed.Process;
        var pauses = process.GcPauses is { } gc
            ? string.Create(c, $"; {gc.Count:N0} pauses, longest {gc.MaxMs:F1} ms, {gc.LongCount:N0} of {gc.LongMs:F0} ms or more ({gc.LongTotalMs:F0} ms).")
            : ".";
        text.AppendLine(c, $"- Process (mixed): CPU {process.CpuUtilization:P0} of {m.ProcessorCount} cores; GC {process.Gen0Collections}/{process.Gen1Collections}/{process.Gen2Collections} "
            + $"(gen 0/1/2), paused {process.GcPauseMs:F0} ms ({process.GcPauseShare:P1}){pauses}");
        if (mixed.SendLag is { } lag)
        {
            text.AppendLine(c, $"- Load generator (open loop): requests sent p50 {lag.P50Ms:F1} / p99 {lag.P99Ms:F1} / max {lag.MaxMs:F1} ms after their scheduled times (a connection waits for its previous answer; latency counts from the schedule).");
        }

        if (report.ColdActivation is { } measured)
        {
            var storage = measured.StorageLoadMedianMs is { } load ? string.Create(c, $" (of which storage reads {load:F1} ms, median)") : string.Empty;
            text.AppendLine(c, $"- Cold activation: {measured.Turns:N0} turns ingested into one agent at {measured.Ingest.TurnsPerSecond:N0} turns/s, indexed in {measured.DrainSeconds:F1} s, "
                + $"consolidated in {measured.ConsolidationMs:F0} ms ({measured.PendingEmbeddingsAfterConsolidation:N0} embeddings pending after it); data directory {measured.DataDirectoryBytes / (1024.0 * 1024.0):F1} MB. "
                + $"Each start is a fresh server process ({measured.ServerProcess}) on that data directory; page cache: {measured.PageCache}. Timed from the spawn: "
                + $"ready (/readyz polled every 10 ms) after {string.Join(", ", measured.StartToReadyMs.Select(v => v.ToString("F0", c)))} ms, then the first request, to the agent, "
                + $"{string.Join(", ", measured.ColdMs.Select(v => v.ToString("F1", c)))} ms{storage}; spawn to first answer "
                + $"{string.Join(", ", measured.StartToAnswerMs.Select(v => v.ToString("F0", c)))} ms (median {measured.StartToAnswerMedianMs:F0})"
                + $"; warm requests median {measured.WarmMedianMs:F2} ms (max {measured.WarmMaxMs:F2}); "
                + $"stop (SIGTERM, state persisted) {measured.ServerStopMedianMs:F0} ms (median).");
        }

        var errors = report.TotalErrors;
        text.AppendLine(errors == 0
            ? "- Errors: none."
            : string.Create(c, $"- Errors: {errors:N0} ({Describe(report)}); first: {report.Ingest.Errors.FirstMessage ?? report.Mixed.Errors.FirstMessage ?? report.ColdActivation?.Ingest.Errors.FirstMessage}."));
        return text.ToString();

        void Row(string phase, string operation, long count, double rate, LatencySummary latency, long failed) =>
            text.AppendLine(c, $"| {phase} | {operation} | {count:N0} | {rate:N1} | {Num(latency.P50Ms, latency.Count)} | {Num(latency.P90Ms, latency.Count)} | "
                + $"{Num(latency.P99Ms, latency.Count)} | {Num(latency.MaxMs, latency.Count)} | {failed:N0} |");

        string Ms(double value, long count) => count == 0 ? "–" : value.ToString("F1", c) + " ms";

        string Num(double value, long count) => count == 0 ? "–" : value.ToString(value < 10 ? "F2" : "F1", c);

        string Opt(double? value) => value is { } v ? v.ToString("F2", c) : "–";

        string Seconds(double? value) => value is { } v ? "at " + v.ToString("F1", c) + " s" : "never";

        static string Met(bool? met) => met switch { true => "yes", false => "**no**", null => "–" };
    }

    private static string Describe(HttpBenchmarkReport report)
    {
        var all = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var counts in new[] { report.Ingest.Errors, report.Mixed.Errors, report.ColdActivation?.Ingest.Errors })
        {
            foreach (var (key, value) in counts?.ByStatus ?? new Dictionary<string, long>())
            {
                all[key] = all.GetValueOrDefault(key) + value;
            }
        }

        return string.Join(", ", all.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key}: {e.Value:N0}")));
    }
}
