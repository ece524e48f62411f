using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MemoryFabric.Benchmarks.Http;

/// <summary>One run of <c>memfab bench http --tracing compare</c>: a fresh <c>memfab bench http</c> process with
/// tracing off or on.</summary>
/// <param name="Round">The round, from 1.</param>
/// <param name="Tracing">Whether the run's server traced (no exporter unless one is configured).</param>
/// <param name="Report">The run's report.</param>
/// <param name="Table">The markdown table the run printed.</param>
public sealed record TracingRun(int Round, bool Tracing, HttpBenchmarkReport Report, string Table);

/// <summary>
/// Compares the search p99 of <c>memfab bench http</c> with the server's tracing off and on, in one invocation: each run
/// is a fresh process (so neither mode inherits the other's JIT, heap or caches), the rounds alternate the order
/// (off-on, on-off, off-on, …: a drift in the machine's load or a first-run effect falls on both modes alike), and each
/// mode's figure is the median over its runs of the run's search p99.
/// </summary>
public static class TracingComparison
{
    /// <summary>The modes of each round, in the order they run: off then on in odd rounds, on then off in even ones.</summary>
    /// <param name="round">The round, from 1.</param>
    /// <returns>The two modes (<see langword="true"/> = tracing on) in running order.</returns>
    public static IReadOnlyList<bool> Order(int round)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(round, 1);
        return round % 2 == 1 ? [false, true] : [true, false];
    }

    /// <summary>Runs the rounds.</summary>
    /// <param name="benchHttp">The command that runs <c>memfab bench http</c> with the user's options, without
    /// <c>--tracing</c>, <c>--out</c>, <c>--markdown</c> and <c>--quiet</c> (this method adds them).</param>
    /// <param name="rounds">The rounds (two runs each).</param>
    /// <param name="progress">Receives a line as each run starts and ends, and the runs' standard error.</param>
    /// <param name="cancellationToken">Stops the run in progress (its process is killed).</param>
    /// <returns>The runs, in running order.</returns>
    /// <exception cref="InvalidOperationException">A run failed (its exit code and the end of its standard error are in
    /// the message).</exception>
    public static async Task<IReadOnlyList<TracingRun>> RunAsync(ProcessCommand benchHttp, int rounds, TextWriter? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(benchHttp);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var runs = new List<TracingRun>();
        var output = Path.Combine(Path.GetTempPath(), $"memfab-tracing-{Guid.NewGuid():N}.json");
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var tracing in Order(round))
                {
                    var mode = tracing ? "on" : "off";
                    progress?.WriteLine($"tracing compare: round {round}/{rounds}, tracing {mode} (a fresh memfab bench http process)");
                    var command = benchHttp.With("--tracing", mode, "--out", output, "--quiet");
                    var result = await ExternalProcess.RunAsync(command.Program, command.Arguments, null, null, progress, errorTailLines: 5, cancellationToken).ConfigureAwait(false);
                    if (result.ExitCode != 0 || !File.Exists(output))
                    {
                        throw new InvalidOperationException($"the tracing-{mode} run of round {round} failed (exit code {result.ExitCode}): {result.ErrorTail}");
                    }

                    HttpBenchmarkReport report;
                    try
                    {
                        report = HttpBenchmarkReport.FromJson(await File.ReadAllTextAsync(output, cancellationToken).ConfigureAwait(false));
                    }
                    catch (JsonException e)
                    {
                        throw new InvalidOperationException($"the tracing-{mode} run of round {round} wrote no readable report: {e.Message}", e);
                    }
                    finally
                    {
                        File.Delete(output);
                    }

                    runs.Add(new TracingRun(round, tracing, report, result.Output));
                    progress?.WriteLine(FormattableString.Invariant($"tracing compare: round {round}, tracing {mode}: search p99 {report.Mixed.Search.Latency.P99Ms:F2} ms"));
                }
            }
        }
        finally
        {
            File.Delete(output);
        }

        return runs;
    }

    /// <summary>The median over a mode's runs of the mixed phase's search p99, in milliseconds.</summary>
    /// <param name="runs">The runs.</param>
    /// <param name="tracing">The mode.</param>
    /// <returns>The median, or <see cref="double.NaN"/> when the mode has no run.</returns>
    public static double MedianSearchP99(IReadOnlyList<TracingRun> runs, bool tracing)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return Median.Of(runs.Where(r => r.Tracing == tracing).Select(r => r.Report.Mixed.Search.Latency.P99Ms));
    }

    /// <summary>The change of the median search p99 with tracing on, in percent of the median with it off.</summary>
    /// <param name="runs">The runs.</param>
    /// <returns>The change.</returns>
    public static double ChangePercent(IReadOnlyList<TracingRun> runs)
    {
        var off = MedianSearchP99(runs, tracing: false);
        var on = MedianSearchP99(runs, tracing: true);
        return off > 0 ? (on - off) / off * 100 : double.NaN;
    }

    /// <summary>The markdown: each run's table, then a table of every run's search p99 and the medians.</summary>
    /// <param name="runs">The runs.</param>
    /// <returns>The markdown.</returns>
    public static string ToMarkdown(IReadOnlyList<TracingRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var text = new StringBuilder();
        foreach (var run in runs)
        {
            text.Append(CultureInfo.InvariantCulture, $"## Round {run.Round}, tracing {(run.Tracing ? "on" : "off")}\n\n{run.Table}\n");
        }

        text.Append("## Tracing off and on\n\n| round | tracing | search p50 (ms) | search p99 (ms) | load average (start → end) |\n|---|---|---|---|---|\n");
        foreach (var run in runs)
        {
            var search = run.Report.Mixed.Search.Latency;
            var machine = run.Report.Machine;
            text.Append(CultureInfo.InvariantCulture, $"| {run.Round} | {(run.Tracing ? "on" : "off")} | {search.P50Ms:F2} | {search.P99Ms:F2} | {machine.LoadAverageStart:F2} → {machine.LoadAverageEnd:F2} |\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"\nSearch p99, median of the runs: tracing off {MedianSearchP99(runs, false):F2} ms, tracing on (no exporter) {MedianSearchP99(runs, true):F2} ms ({ChangePercent(runs):+0.0;-0.0;0.0} %).\n");
        return text.ToString();
    }

    /// <summary>The JSON: every run's report, and the medians.</summary>
    /// <param name="runs">The runs.</param>
    /// <returns>Indented JSON with snake_case names.</returns>
    public static string ToJson(IReadOnlyList<TracingRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            WriteNumberOrNull(json, "search_p99_median_off_ms", MedianSearchP99(runs, false));
            WriteNumberOrNull(json, "search_p99_median_on_ms", MedianSearchP99(runs, true));
            WriteNumberOrNull(json, "search_p99_change_percent", Math.Round(ChangePercent(runs), 2));
            json.WriteStartArray("runs");
            foreach (var run in runs)
            {
                json.WriteStartObject();
                json.WriteNumber("round", run.Round);
                json.WriteString("tracing", run.Tracing ? "on" : "off");
                json.WritePropertyName("report");
                using var report = JsonDocument.Parse(run.Report.ToJson());
                report.WriteTo(json);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
