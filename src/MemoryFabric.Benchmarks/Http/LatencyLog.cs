using System.Diagnostics;
using System.Globalization;
using System.Net;
using MemoryFabric.Client;

namespace MemoryFabric.Benchmarks.Http;

/// <summary>Every latency of one worker and one operation, in <see cref="Stopwatch"/> ticks (no histogram: the
/// percentiles are exact, from the sorted values).</summary>
internal sealed class LatencyLog
{
    private readonly List<long> _ticks = new(4096);

    public int Count => _ticks.Count;

    public void Add(long ticks) => _ticks.Add(ticks);

    /// <summary>Summarizes the logs of all workers.</summary>
    public static LatencySummary Summarize(IEnumerable<LatencyLog> logs)
    {
        var all = logs.SelectMany(l => l._ticks).ToArray();
        if (all.Length == 0)
        {
            return new LatencySummary();
        }

        Array.Sort(all);
        return new LatencySummary
        {
            Count = all.Length,
            MeanMs = Round(all.Average(t => (double)t) * 1000.0 / Stopwatch.Frequency),
            P50Ms = Milliseconds(Percentile(all, 0.50)),
            P90Ms = Milliseconds(Percentile(all, 0.90)),
            P99Ms = Milliseconds(Percentile(all, 0.99)),
            MaxMs = Milliseconds(all[^1]),
        };
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="p"/> of the values at or below it.</summary>
    internal static long Percentile(long[] sorted, double p)
    {
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    public static double Milliseconds(long ticks) => Round(ticks * 1000.0 / Stopwatch.Frequency);

    private static double Round(double value) => Math.Round(value, 3);
}

/// <summary>The failed requests of one worker.</summary>
internal sealed class ErrorLog
{
    private readonly Dictionary<string, long> _byStatus = new(StringComparer.Ordinal);

    public long Total { get; private set; }

    public string? FirstMessage { get; private set; }

    /// <summary>Records an exception thrown by a request; returns <see langword="false"/> for exceptions that are not
    /// request failures (cancellation of the run), which the caller rethrows.</summary>
    public bool Record(Exception exception, CancellationToken runToken)
    {
        string key;
        switch (exception)
        {
            case MemoryFabricApiException api:
                key = ((int)api.StatusCode).ToString(CultureInfo.InvariantCulture);
                break;
            case TimeoutException:
                key = "timeout";
                break;
            case HttpRequestException http:
                key = http.StatusCode is HttpStatusCode status ? ((int)status).ToString(CultureInfo.InvariantCulture) : "transport";
                break;
            case OperationCanceledException when runToken.IsCancellationRequested:
                return false;
            case OperationCanceledException:
                key = "timeout";
                break;
            case System.Text.Json.JsonException:
                key = "bad-response";
                break;
            default:
                return false;
        }

        _byStatus[key] = _byStatus.GetValueOrDefault(key) + 1;
        Total++;
        FirstMessage ??= $"{key}: {exception.Message}";
        return true;
    }

    public static ErrorCounts Summarize(IEnumerable<ErrorLog> logs)
    {
        var byStatus = new SortedDictionary<string, long>(StringComparer.Ordinal);
        string? first = null;
        long total = 0;
        foreach (var log in logs)
        {
            total += log.Total;
            first ??= log.FirstMessage;
            foreach (var (key, count) in log._byStatus)
            {
                byStatus[key] = byStatus.GetValueOrDefault(key) + count;
            }
        }

        var serverErrors = byStatus.Where(e => e.Key.Length == 3 && e.Key[0] == '5').Sum(e => e.Value);
        return new ErrorCounts { Total = total, ServerErrors = serverErrors, ByStatus = byStatus, FirstMessage = first };
    }
}
