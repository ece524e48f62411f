using System.Text.RegularExpressions;

namespace MemoryFabric.Evaluation.Metrics;

/// <summary>
/// Reads gold evidence ids leniently. LoCoMo-looking ids (a <c>D</c> followed by digits, colons and spaces) are
/// normalized to <c>D{session}:{turn}</c>: <c>"D:11:26"</c> reads <c>D11:26</c>, <c>"D 3 : 4"</c> reads
/// <c>D3:4</c>; one that cannot be read that way (<c>"D"</c>, <c>"D12"</c>) is dropped. A raw id holding several
/// ids separated by <c>;</c> (<c>"D8:6; D9:17"</c>) gives each of them. Any other id (another dataset's) is kept
/// verbatim, trimmed.
/// </summary>
public static partial class EvidenceIds
{
    /// <summary>Reads a list of raw evidence ids.</summary>
    /// <param name="raw">The ids as written in the dataset.</param>
    /// <returns>The readable ids, distinct, in first-seen order.</returns>
    public static IReadOnlyList<string> Parse(IEnumerable<string?> raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in raw)
        {
            foreach (var id in ParseOne(item))
            {
                if (seen.Add(id))
                {
                    result.Add(id);
                }
            }
        }

        return result;
    }

    /// <summary>Reads one raw evidence id, which may hold several ids separated by <c>;</c>.</summary>
    /// <param name="raw">The id as written in the dataset.</param>
    /// <returns>The readable ids (none when it cannot be read).</returns>
    public static IReadOnlyList<string> ParseOne(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return [];
        }

        var result = new List<string>();
        foreach (var piece in raw.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (LocomoLooking().IsMatch(piece))
            {
                var match = LocomoId().Match(piece.Replace(" ", string.Empty, StringComparison.Ordinal));
                if (match.Success)
                {
                    result.Add($"D{match.Groups[1].Value}:{match.Groups[2].Value}");
                }
            }
            else
            {
                result.Add(piece);
            }
        }

        return result;
    }

    [GeneratedRegex(@"^D[\d:\s]*$", RegexOptions.CultureInvariant)]
    private static partial Regex LocomoLooking();

    [GeneratedRegex(@"^D:?(\d+):(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex LocomoId();
}
