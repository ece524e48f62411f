using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MemoryFabric.Telemetry;

/// <summary>
/// Renders OpenTelemetry metrics in the Prometheus text exposition format 0.0.4, following the
/// OpenTelemetry → Prometheus compatibility conventions (name sanitization, unit and <c>_total</c>
/// suffixes, cumulative <c>_bucket</c>/<c>_sum</c>/<c>_count</c> histogram series).
/// </summary>
internal static class PrometheusTextSerializer
{
    private const string TotalSuffix = "_total";

    /// <summary>Serializes one collected batch; metrics with no points and exponential histograms are omitted.</summary>
    public static string Serialize(in Batch<Metric> batch)
    {
        // Group by Prometheus name so that every family has exactly one HELP/TYPE header,
        // even when several OpenTelemetry streams (e.g. from different meters) map to the same name.
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var order = new List<Family>();
        foreach (var metric in batch)
        {
            if (metric.MetricType == MetricType.ExponentialHistogram)
            {
                continue; // not representable in the classic text format
            }

            var type = GetPrometheusType(metric.MetricType);
            var name = GetMetricName(metric.Name, metric.Unit, type);
            if (!families.TryGetValue(name, out var family))
            {
                family = new Family(name, type);
                families.Add(name, family);
                order.Add(family);
            }
            else if (family.Type != type)
            {
                continue; // a second TYPE for one name would make the whole scrape invalid
            }

            if (string.IsNullOrEmpty(family.Help) && !string.IsNullOrEmpty(metric.Description))
            {
                family.Help = metric.Description;
            }

            WritePoints(family.Samples, metric, name, type);
        }

        var output = new StringBuilder();
        foreach (var family in order)
        {
            if (family.Samples.Length == 0)
            {
                continue;
            }

            if (!string.IsNullOrEmpty(family.Help))
            {
                output.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
            }

            output.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type).Append('\n');
            output.Append(family.Samples);
        }

        return output.ToString();
    }

    /// <summary>
    /// Builds the Prometheus metric name: sanitized instrument name, then the unit suffix (unless already
    /// present), then <c>_total</c> for counters.
    /// </summary>
    internal static string GetMetricName(string instrumentName, string? unit, string prometheusType)
    {
        var name = SanitizeName(instrumentName, allowColon: true);
        var isCounter = prometheusType == "counter";
        if (isCounter && name.Length > TotalSuffix.Length && name.EndsWith(TotalSuffix, StringComparison.Ordinal))
        {
            name = name[..^TotalSuffix.Length]; // re-added after the unit: the unit suffix comes first
        }

        var unitSuffix = GetUnitSuffix(unit);
        if (unitSuffix.Length > 0 && name != unitSuffix && !name.EndsWith("_" + unitSuffix, StringComparison.Ordinal))
        {
            name = name + "_" + unitSuffix;
        }

        return isCounter ? name + TotalSuffix : name;
    }

    /// <summary>
    /// Translates a UCUM unit into a Prometheus name suffix: <c>{annotations}</c> are dropped,
    /// abbreviations spelled out (<c>s</c> → <c>seconds</c>, <c>By</c> → <c>bytes</c>), <c>a/b</c> becomes
    /// <c>a_per_b</c> and the dimensionless <c>1</c> yields no suffix.
    /// </summary>
    internal static string GetUnitSuffix(string? unit)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return string.Empty;
        }

        var stripped = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                stripped.Append(c);
            }
        }

        var text = stripped.ToString().Trim();
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        string suffix;
        if (slash >= 0 && slash < text.Length - 1)
        {
            var numerator = MapUnit(text[..slash]);
            var per = MapPerUnit(text[(slash + 1)..]);
            suffix = numerator.Length == 0 ? "per_" + per : numerator + "_per_" + per;
        }
        else
        {
            suffix = MapUnit(text);
        }

        return suffix.Length == 0 ? suffix : SanitizeName(suffix, allowColon: false).Trim('_');
    }

    /// <summary>
    /// Replaces characters outside <c>[a-zA-Z0-9_]</c> (plus <c>:</c> for metric names) with <c>_</c>,
    /// collapses runs of <c>_</c>, and prefixes a leading digit with <c>_</c>.
    /// </summary>
    internal static string SanitizeName(string name, bool allowColon)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "_";
        }

        var sb = new StringBuilder(name.Length + 1);
        if (char.IsAsciiDigit(name[0]))
        {
            sb.Append('_');
        }

        foreach (var c in name)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || (allowColon && c == ':');
            if (valid)
            {
                sb.Append(c);
            }
            else if (sb.Length == 0 || sb[^1] != '_')
            {
                sb.Append('_');
            }
        }

        return sb.ToString();
    }

    /// <summary>Formats a double as Prometheus expects: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>, else shortest round-trip, invariant.</summary>
    internal static string FormatDouble(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Escapes a label value: <c>\</c>, <c>"</c> and line feed.</summary>
    internal static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
             .Replace("\"", "\\\"", StringComparison.Ordinal)
             .Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Escapes HELP text: <c>\</c> and line feed.</summary>
    internal static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
             .Replace("\n", "\\n", StringComparison.Ordinal);

    private static string GetPrometheusType(MetricType type) => type switch
    {
        MetricType.LongSum or MetricType.DoubleSum => "counter",
        MetricType.Histogram => "histogram",
        _ => "gauge", // gauges and non-monotonic (up-down) sums
    };

    private static void WritePoints(StringBuilder sb, Metric metric, string name, string type)
    {
        var isLong = metric.MetricType.IsLong();
        var isSum = metric.MetricType.IsSum();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var labels = FormatLabels(point.Tags);
            if (type == "histogram")
            {
                WriteHistogram(sb, name, labels, point);
                continue;
            }

            var value = (isLong, isSum) switch
            {
                (true, true) => point.GetSumLong().ToString(CultureInfo.InvariantCulture),
                (true, false) => point.GetGaugeLastValueLong().ToString(CultureInfo.InvariantCulture),
                (false, true) => FormatDouble(point.GetSumDouble()),
                (false, false) => FormatDouble(point.GetGaugeLastValueDouble()),
            };
            WriteSample(sb, name, labels, extraLabel: null, value);
        }
    }

    private static void WriteHistogram(StringBuilder sb, string name, string labels, in MetricPoint point)
    {
        var bucketName = name + "_bucket";
        long cumulative = 0;
        var wroteInf = false;
        foreach (var bucket in point.GetHistogramBuckets())
        {
            cumulative += bucket.BucketCount;
            wroteInf = double.IsPositiveInfinity(bucket.ExplicitBound);
            WriteSample(sb, bucketName, labels, "le=\"" + FormatDouble(bucket.ExplicitBound) + "\"", cumulative.ToString(CultureInfo.InvariantCulture));
        }

        var count = point.GetHistogramCount().ToString(CultureInfo.InvariantCulture);
        if (!wroteInf)
        {
            WriteSample(sb, bucketName, labels, "le=\"+Inf\"", count);
        }

        WriteSample(sb, name + "_sum", labels, extraLabel: null, FormatDouble(point.GetHistogramSum()));
        WriteSample(sb, name + "_count", labels, extraLabel: null, count);
    }

    private static void WriteSample(StringBuilder sb, string name, string labels, string? extraLabel, string value)
    {
        sb.Append(name);
        if (labels.Length > 0 || extraLabel is not null)
        {
            sb.Append('{').Append(labels);
            if (extraLabel is not null)
            {
                sb.Append(labels.Length > 0 ? "," : string.Empty).Append(extraLabel);
            }

            sb.Append('}');
        }

        sb.Append(' ').Append(value).Append('\n');
    }

    /// <summary>
    /// Formats tags as <c>k="v",…</c>. Keys that collide after sanitization are merged, their values
    /// joined with <c>;</c> (per the OpenTelemetry compatibility spec).
    /// </summary>
    private static string FormatLabels(ReadOnlyTagCollection tags)
    {
        if (tags.Count == 0)
        {
            return string.Empty;
        }

        var merged = new List<KeyValuePair<string, string>>(tags.Count);
        foreach (var tag in tags)
        {
            var key = SanitizeName(tag.Key, allowColon: false);
            var value = FormatTagValue(tag.Value);
            var index = merged.FindIndex(p => p.Key == key);
            if (index >= 0)
            {
                merged[index] = new(key, merged[index].Value + ";" + value);
            }
            else
            {
                merged.Add(new(key, value));
            }
        }

        var sb = new StringBuilder();
        foreach (var (key, value) in merged)
        {
            sb.Append(sb.Length > 0 ? "," : string.Empty).Append(key).Append("=\"").Append(EscapeLabelValue(value)).Append('"');
        }

        return sb.ToString();
    }

    private static string FormatTagValue(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        double d => FormatDouble(d),
        float f => FormatDouble(f),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string MapUnit(string unit) => unit switch
    {
        "d" => "days",
        "h" => "hours",
        "min" => "minutes",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "GiBy" => "gibibytes",
        "TiBy" => "tebibytes",
        "KBy" => "kilobytes",
        "MBy" => "megabytes",
        "GBy" => "gigabytes",
        "TBy" => "terabytes",
        "m" => "meters",
        "V" => "volts",
        "A" => "amperes",
        "J" => "joules",
        "W" => "watts",
        "g" => "grams",
        "Cel" => "celsius",
        "Hz" => "hertz",
        "%" => "percent",
        "1" => string.Empty,
        _ => unit,
    };

    private static string MapPerUnit(string unit) => unit switch
    {
        "s" => "second",
        "m" or "min" => "minute",
        "h" => "hour",
        "d" => "day",
        "w" => "week",
        "mo" => "month",
        "y" => "year",
        _ => MapUnit(unit),
    };

    private sealed class Family(string name, string type)
    {
        public string Name { get; } = name;

        public string Type { get; } = type;

        public string? Help { get; set; }

        public StringBuilder Samples { get; } = new();
    }
}
