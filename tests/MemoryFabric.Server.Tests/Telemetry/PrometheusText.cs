using System.Globalization;
using System.Text;

namespace MemoryFabric.Server.Tests.Telemetry;

/// <summary>One sample line: <c>name{labels} value [timestamp]</c>.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, long? Timestamp)
{
    /// <summary>The series' identity: the name and the labels sorted by name.</summary>
    public string Series => Name + "{" + string.Join(",", Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";
}

/// <summary>A metric family: its <c># TYPE</c>, <c># HELP</c> and samples.</summary>
internal sealed class PrometheusFamily(string name)
{
    public string Name { get; } = name;

    public string Type { get; set; } = "untyped";

    public string? Help { get; set; }

    public List<PrometheusSample> Samples { get; } = [];
}

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4: every line ends with <c>\n</c>; comments are
/// <c># HELP</c>, <c># TYPE</c> (at most one per family, before its samples) or free text; a sample is
/// <c>name{label="value",...} value [timestamp]</c> with escaped label values (<c>\\</c>, <c>\"</c>, <c>\n</c>);
/// a family's samples are contiguous; no series appears twice; histograms have cumulative <c>_bucket</c> samples
/// ending with <c>le="+Inf"</c> equal to their <c>_count</c>, and a <c>_sum</c>; counters are not negative.
/// </summary>
internal static class PrometheusText
{
    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];

    /// <summary>Parses and checks an exposition.</summary>
    /// <param name="text">The exposition.</param>
    /// <returns>The families by name, in order of appearance.</returns>
    /// <exception cref="FormatException">The text breaks a rule of the format (the message names the line).</exception>
    public static IReadOnlyDictionary<string, PrometheusFamily> Parse(string text)
    {
        var families = new Dictionary<string, PrometheusFamily>(StringComparer.Ordinal);
        if (text.Length == 0)
        {
            return families;
        }

        if (!text.EndsWith('\n'))
        {
            throw new FormatException("The exposition does not end with a line feed.");
        }

        var series = new HashSet<string>(StringComparer.Ordinal);
        var typed = new HashSet<string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text[..^1].Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var where = $"line {i + 1} ({line})";
            if (line.Contains('\r', StringComparison.Ordinal))
            {
                throw new FormatException($"{where}: carriage return.");
            }

            if (line.Length == 0)
            {
                continue;
            }

            string familyName;
            if (line[0] == '#')
            {
                var parts = line.Split(' ', 4);
                if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("HELP" or "TYPE"))
                {
                    continue; // a free comment
                }

                familyName = parts[2];
                CheckName(familyName, metric: true, where);
                var family = GetFamily(families, familyName);
                if (parts[1] == "TYPE")
                {
                    var type = parts.Length == 4 ? parts[3] : "";
                    if (type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                    {
                        throw new FormatException($"{where}: unknown type '{type}'.");
                    }

                    if (family.Samples.Count > 0 || !typed.Add(familyName) || finished.Contains(familyName))
                    {
                        throw new FormatException($"{where}: TYPE after the family's samples or a second TYPE.");
                    }

                    family.Type = type;
                }
                else
                {
                    if (family.Help is not null)
                    {
                        throw new FormatException($"{where}: a second HELP.");
                    }

                    family.Help = parts.Length == 4 ? parts[3] : "";
                }
            }
            else
            {
                var sample = ParseSample(line, where);
                familyName = FamilyOf(sample.Name, families);
                var family = GetFamily(families, familyName);
                if (!series.Add(sample.Series))
                {
                    throw new FormatException($"{where}: the series {sample.Series} appears twice.");
                }

                if (family.Type == "counter" && sample.Value < 0)
                {
                    throw new FormatException($"{where}: a negative counter.");
                }

                family.Samples.Add(sample);
            }

            if (familyName != current)
            {
                if (current is not null)
                {
                    finished.Add(current);
                }

                if (finished.Contains(familyName))
                {
                    throw new FormatException($"{where}: the family {familyName} is not contiguous.");
                }

                current = familyName;
            }
        }

        foreach (var family in families.Values.Where(f => f.Type == "histogram"))
        {
            CheckHistogram(family);
        }

        return families;
    }

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include every pair given, or the
    /// sum of several; 0 when none.</summary>
    public static double Sum(IReadOnlyDictionary<string, PrometheusFamily> families, string name, params (string Key, string Value)[] labels) =>
        families.Values.SelectMany(f => f.Samples)
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            .Sum(s => s.Value);

    private static PrometheusFamily GetFamily(Dictionary<string, PrometheusFamily> families, string name)
    {
        if (!families.TryGetValue(name, out var family))
        {
            family = new PrometheusFamily(name);
            families[name] = family;
        }

        return family;
    }

    private static string FamilyOf(string sampleName, Dictionary<string, PrometheusFamily> families)
    {
        foreach (var suffix in HistogramSuffixes)
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && families.TryGetValue(sampleName[..^suffix.Length], out var family) && family.Type is "histogram" or "summary")
            {
                return family.Name;
            }
        }

        return sampleName;
    }

    private static void CheckHistogram(PrometheusFamily family)
    {
        foreach (var group in family.Samples.GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value))))
        {
            var buckets = group.Where(s => s.Name == family.Name + "_bucket").ToList();
            var count = group.SingleOrDefault(s => s.Name == family.Name + "_count")
                ?? throw new FormatException($"{family.Name}{{{group.Key}}}: no _count.");
            _ = group.SingleOrDefault(s => s.Name == family.Name + "_sum") ?? throw new FormatException($"{family.Name}{{{group.Key}}}: no _sum.");
            if (buckets.Count == 0 || buckets.Any(b => !b.Labels.ContainsKey("le")))
            {
                throw new FormatException($"{family.Name}{{{group.Key}}}: no buckets, or a bucket without 'le'.");
            }

            var previousBound = double.NegativeInfinity;
            var previousCount = 0.0;
            foreach (var bucket in buckets)
            {
                var bound = ParseValue(bucket.Labels["le"], family.Name);
                if (bound <= previousBound || bucket.Value < previousCount)
                {
                    throw new FormatException($"{family.Name}{{{group.Key}}}: buckets are not cumulative in increasing 'le' order.");
                }

                previousBound = bound;
                previousCount = bucket.Value;
            }

            if (!double.IsPositiveInfinity(previousBound) || previousCount != count.Value)
            {
                throw new FormatException($"{family.Name}{{{group.Key}}}: the last bucket is not le=\"+Inf\" equal to _count.");
            }
        }
    }

    private static PrometheusSample ParseSample(string line, string where)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }

        var name = line[..i];
        CheckName(name, metric: true, where);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}')
                {
                    i++;
                    break;
                }

                var start = i;
                while (i < line.Length && line[i] != '=')
                {
                    i++;
                }

                var key = line[start..i];
                CheckName(key, metric: false, where);
                if (i + 1 >= line.Length || line[i + 1] != '"')
                {
                    throw new FormatException($"{where}: a label value is not quoted.");
                }

                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new FormatException($"{where}: an unterminated label value.");
                    }

                    var c = line[i++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        var escaped = i < line.Length ? line[i++] : ' ';
                        value.Append(escaped switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"{where}: an invalid escape '\\{escaped}'."),
                        });
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                if (!labels.TryAdd(key, value.ToString()))
                {
                    throw new FormatException($"{where}: the label '{key}' appears twice.");
                }

                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
                else if (i >= line.Length || line[i] != '}')
                {
                    throw new FormatException($"{where}: expected ',' or '}}' after a label.");
                }
            }
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException($"{where}: no value.");
        }

        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2)
        {
            throw new FormatException($"{where}: expected 'value [timestamp]'.");
        }

        var parsed = ParseValue(rest[0], where);
        long? timestamp = null;
        if (rest.Length == 2)
        {
            timestamp = long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var t)
                ? t
                : throw new FormatException($"{where}: the timestamp is not an integer.");
        }

        return new PrometheusSample(name, labels, parsed, timestamp);
    }

    private static double ParseValue(string value, string where) => value switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"{where}: '{value}' is not a number."),
    };

    private static void CheckName(string name, bool metric, string where)
    {
        var valid = name.Length > 0
            && (char.IsAsciiLetter(name[0]) || name[0] == '_' || (metric && name[0] == ':'))
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || (metric && c == ':'));
        if (!valid)
        {
            throw new FormatException($"{where}: '{name}' is not a valid {(metric ? "metric" : "label")} name.");
        }
    }
}
