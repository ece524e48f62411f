using System.Globalization;

namespace MemoryFabric.Benchmarks.Http;

/// <summary>The samples of one scrape of the server's <c>GET /metrics</c> (Prometheus text format), to tell where
/// time goes on the server side: the difference of two scrapes covers the requests between them.</summary>
internal sealed class MetricsSnapshot
{
    private readonly List<(string Name, string Labels, double Value)> _samples;

    private MetricsSnapshot(List<(string Name, string Labels, double Value)> samples) => _samples = samples;

    /// <summary>Scrapes the server, or returns <see langword="null"/> when it has no readable metrics.</summary>
    public static async Task<MetricsSnapshot?> ScrapeAsync(HttpClient http, Uri endpoint, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(endpoint, "metrics"), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            return Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Parses Prometheus text: <c>name{labels} value [timestamp]</c> lines; comments skipped.</summary>
    public static MetricsSnapshot Parse(string text)
    {
        var samples = new List<(string, string, double)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string name, labels, rest;
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (brace >= 0 && (space < 0 || brace < space))
            {
                var close = line.LastIndexOf('}');
                if (close < brace)
                {
                    continue;
                }

                name = line[..brace];
                labels = line[(brace + 1)..close];
                rest = line[(close + 1)..];
            }
            else if (space > 0)
            {
                name = line[..space];
                labels = string.Empty;
                rest = line[space..];
            }
            else
            {
                continue;
            }

            var value = rest.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (value is not null && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                samples.Add((name, labels, parsed));
            }
        }

        return new MetricsSnapshot(samples);
    }

    /// <summary>The sum of the samples of a metric whose labels contain every one of <paramref name="labels"/>
    /// (e.g. <c>operation="load"</c>).</summary>
    public double Sum(string name, params string[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.Contains(l, StringComparison.Ordinal))).Sum(s => s.Value);

    /// <summary>The mean, in milliseconds, of a seconds histogram over the requests between two scrapes, with their
    /// number; <see langword="null"/> when none.</summary>
    public static (double? MeanMs, long Count) MeanMs(MetricsSnapshot before, MetricsSnapshot after, string histogram, params string[] labels)
    {
        var count = after.Sum(histogram + "_count", labels) - before.Sum(histogram + "_count", labels);
        var sum = after.Sum(histogram + "_sum", labels) - before.Sum(histogram + "_sum", labels);
        return count <= 0 ? (null, 0) : (Math.Round(sum * 1000 / count, 3), (long)count);
    }

    /// <summary>How much a counter grew between two scrapes.</summary>
    public static long Delta(MetricsSnapshot before, MetricsSnapshot after, string name, params string[] labels) =>
        (long)Math.Round(after.Sum(name, labels) - before.Sum(name, labels));
}
