using System.Globalization;
using System.Text;

namespace MemoryFabric.Benchmarks.Index;

/// <summary>Renders an <see cref="IndexBenchmarkReport"/> for the console.</summary>
public static class IndexReportTable
{
    /// <summary>Renders the sweep, the summary and the ratios.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The text.</returns>
    public static string Render(IndexBenchmarkReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"memfab bench index: {report.Dataset}, n {report.Count}, dim {report.Dimensions}, {report.Queries} queries, k {report.K}, "
            + $"M {report.M}, efConstruction {report.EfConstruction}, seed {report.Seed}, {report.ProcessorCount} logical processors");
        text.AppendLine();

        var swept = report.Engines.Where(e => e.Value.Sweep is { Count: > 0 }).ToList();
        if (swept.Count > 0)
        {
            text.AppendLine(c, $"efSearch sweep (recall@{report.K} / queries per second, one thread; each engine stops at recall >= {report.TargetRecall}):");
            var efs = swept.SelectMany(e => e.Value.Sweep!.Select(p => p.EfSearch)).Distinct().Order().ToList();
            text.Append(c, $"  {"efSearch",8}");
            foreach (var (name, _) in swept)
            {
                text.Append(c, $"  {name,22}");
            }

            text.AppendLine();
            foreach (var ef in efs)
            {
                text.Append(c, $"  {ef,8}");
                foreach (var (_, result) in swept)
                {
                    var point = result.Sweep!.FirstOrDefault(p => p.EfSearch == ef);
                    text.Append(point is null ? new string(' ', 24) : FormattableString.Invariant($"  {point.RecallAt10,8:F4} {point.Qps,13:N0}"));
                }

                text.AppendLine();
            }

            text.AppendLine();
        }

        text.AppendLine(c, $"  {"engine",-19} {"threads",7} {"build s",9} {"build vec/s",11} {"RSS B/vec",10} {"anon",7} {"file",7} {"efSearch",8} {"recall@" + report.K,9} {"QPS",10} {"p50 ms",7} {"p99 ms",7}");
        foreach (var (name, r) in report.Engines)
        {
            var note = r.ReachedTarget == false ? FormattableString.Invariant($"   (recall {report.TargetRecall} never reached: best point shown)") : string.Empty;
            text.AppendLine(c, $"  {name,-19} {r.Threads,7} {Format(r.BuildSeconds, "F1"),9} {Format(r.BuildVectorsPerSecond, "N0"),11} "
                + $"{Format(r.BytesPerVector, "N0"),10} {Format(r.AnonBytesPerVector, "N0"),7} {Format(r.FileBytesPerVector, "N0"),7} {r.EfSearch?.ToString(c) ?? "-",8} {Format(r.RecallAt10, "F4"),9} {r.Qps,10:N0} "
                + $"{Format(r.LatencyP50Ms, "F2"),7} {Format(r.LatencyP99Ms, "F2"),7}{note}");
        }

        foreach (var (name, error) in report.Errors)
        {
            text.AppendLine(c, $"  {name,-19} did not run: {error}");
        }

        if (report.Engines.Values.Any(r => r.ResidentGrowthAfterBuild is not null))
        {
            text.AppendLine();
            text.AppendLine("RSS B/vec: growth of each engine's own fresh process's resident set (VmRSS) from just before the index is created to just after");
            text.AppendLine("the build, / n; anon = anonymous pages (heaps), file = file-backed pages (mapped files: the kernel can drop clean ones and read them");
            text.AppendLine("again). Same method for every engine (/proc/self/status). After the query phase:");
            foreach (var (name, r) in report.Engines)
            {
                if (r.ResidentGrowthAfterQueries is { } q && r.ResidentBaseline is { } b)
                {
                    var n = (double)report.Count;
                    var check = r.BytesPerVectorCheck is { } v ? FormattableString.Invariant($"; {(name == IndexEngines.MemoryFabric ? "allocated capacity" : "layout estimate")} {v:N0} B/vector") : string.Empty;
                    text.AppendLine(c, $"  {name,-13} {q.TotalBytes / n,7:N0} B/vector ({q.AnonBytes / n:N0} anon + {(q.FileBytes + q.ShmemBytes) / n:N0} file); process baseline {b.TotalBytes / 1e6:N0} MB ({b.AnonBytes / 1e6:N0} MB anon){check}");
                }
            }
        }

        if (report.Ratios.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("MemoryFabric relative to:");
            foreach (var other in new[] { IndexEngines.Hnswlib, IndexEngines.Faiss })
            {
                if (report.Ratios.ContainsKey($"qps_vs_{other}"))
                {
                    text.AppendLine(c, $"  {other,-8} QPS {Ratio(report, $"qps_vs_{other}")}, build rate {Ratio(report, $"build_rate_vs_{other}")}, "
                        + $"bytes per vector {Ratio(report, $"bytes_per_vector_vs_{other}")}");
                }
            }

            if (report.Ratios.ContainsKey("qps_vs_exact"))
            {
                text.AppendLine(c, $"  {"exact",-8} QPS {Ratio(report, "qps_vs_exact")}");
            }
        }

        if (report.Engines.TryGetValue(IndexEngines.MemoryFabric, out var ours) && ours.Details is { } details)
        {
            text.AppendLine();
            if (details.TryGetValue("resident_breakdown_bytes_per_vector", out var breakdown) && breakdown is IReadOnlyDictionary<string, double> parts)
            {
                text.AppendLine(c, $"MemoryFabric in-RAM structures (allocated capacity) / n = {string.Join(" + ", parts.Where(p => p.Value > 0).Select(p => FormattableString.Invariant($"{p.Key} {p.Value:F1}")))}");
            }

            text.AppendLine(c, $"  float32 re-ranking vectors: {Value(details, "float32_storage")}, {Value(details, "mapped_bytes_per_vector", "F0")} B/vector mapped (file-backed RSS while resident); "
                + $"managed heap growth over the build: {Value(details, "managed_heap_growth_bytes_per_vector", "F0")} B/vector; kernel {Value(details, "kernel")}");
            text.AppendLine(c, $"  snapshot: {Value(details, "snapshot_bytes", "N0")} bytes, saved in {Value(details, "snapshot_save_seconds", "F2")} s, loaded in "
                + $"{Value(details, "snapshot_load_seconds", "F3")} s: build / load = {Value(details, "build_over_load", "F0")}×; identical results {Value(details, "snapshot_identical_results")}");
        }

        return text.ToString();
    }

    private static string Ratio(IndexBenchmarkReport report, string key) =>
        report.Ratios.TryGetValue(key, out var value) && value is { } v ? FormattableString.Invariant($"{v:F2}×") : "-";

    private static string Format(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";

    private static string Value(IReadOnlyDictionary<string, object> details, string key, string? format = null) =>
        !details.TryGetValue(key, out var value) ? "-"
        : format is not null && value is IFormattable f ? f.ToString(format, CultureInfo.InvariantCulture)
        : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "-";
}
