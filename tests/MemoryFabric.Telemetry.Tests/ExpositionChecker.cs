using System.Text.RegularExpressions;

namespace MemoryFabric.Telemetry.Tests;

/// <summary>
/// A tiny checker for the Prometheus text format 0.0.4 as we emit it: every line ends with \n, comment
/// lines are well-formed HELP/TYPE lines, every other line is <c>name{labels} value</c>, each family has one
/// TYPE line that precedes its samples, and a family's samples are contiguous.
/// </summary>
internal static partial class ExpositionChecker
{
    public static void AssertValid(string text)
    {
        var errors = Validate(text);
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors) + Environment.NewLine + "---" + Environment.NewLine + text);
    }

    public static List<string> Validate(string text)
    {
        var errors = new List<string>();
        if (text.Length == 0)
        {
            return errors;
        }

        if (!text.EndsWith('\n'))
        {
            errors.Add("output does not end with \\n");
        }

        if (text.Contains('\r', StringComparison.Ordinal))
        {
            errors.Add("output contains \\r");
        }

        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.TrimEnd('\n').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            string? family;
            if (line.StartsWith('#'))
            {
                var comment = CommentLine().Match(line);
                if (!comment.Success)
                {
                    errors.Add($"line {i + 1}: malformed comment: {line}");
                    continue;
                }

                family = comment.Groups["name"].Value;
                var rest = comment.Groups["rest"].Value;
                if (comment.Groups["kind"].Value == "TYPE")
                {
                    if (rest is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                    {
                        errors.Add($"line {i + 1}: unknown type: {line}");
                    }

                    if (!types.TryAdd(family, rest))
                    {
                        errors.Add($"line {i + 1}: second TYPE for {family}");
                    }
                }
            }
            else
            {
                var sample = SampleLine().Match(line);
                if (!sample.Success)
                {
                    errors.Add($"line {i + 1}: not 'name{{labels}} value': {line}");
                    continue;
                }

                var name = sample.Groups["name"].Value;
                family = FamilyOf(name, types);
                if (family is null)
                {
                    errors.Add($"line {i + 1}: sample before its TYPE: {line}");
                    continue;
                }

                if (types[family] == "histogram" && sample.Groups["labels"].Value.Contains("le=", StringComparison.Ordinal) != name.EndsWith("_bucket", StringComparison.Ordinal))
                {
                    errors.Add($"line {i + 1}: 'le' label must appear exactly on _bucket samples: {line}");
                }
            }

            if (family != current)
            {
                if (current is not null)
                {
                    finished.Add(current);
                }

                if (finished.Contains(family))
                {
                    errors.Add($"line {i + 1}: family {family} is not contiguous");
                }

                current = family;
            }
        }

        return errors;
    }

    private static string? FamilyOf(string sampleName, Dictionary<string, string> types)
    {
        if (types.ContainsKey(sampleName))
        {
            return sampleName;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && types.TryGetValue(sampleName[..^suffix.Length], out var type) && type == "histogram")
            {
                return sampleName[..^suffix.Length];
            }
        }

        return null;
    }

    [GeneratedRegex(@"^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<rest>.*)$")]
    private static partial Regex CommentLine();

    [GeneratedRegex("""
        ^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)
        (?<labels>\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})?
        \x20(?<value>[+-]Inf|NaN|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)$
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex SampleLine();
}
