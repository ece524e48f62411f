using System.Globalization;

namespace MemoryFabric.Text;

/// <summary>
/// Finds named entities by surface form: runs of capitalized words that do not start a sentence (or that are
/// known names), plus numbers with units and years. Entities are normalized to title case with single spaces.
/// </summary>
public static class EntityExtractor
{
    private static readonly HashSet<string> NotEntities = new(StringComparer.OrdinalIgnoreCase)
    {
        "i", "i'm", "i've", "i'd", "i'll", "hey", "hi", "hello", "wow", "yes", "yeah", "no", "oh", "ok", "okay", "thanks",
        "thank", "sure", "omg", "lol", "haha", "awesome", "great", "cool", "nice", "good", "congrats", "congratulations",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "the", "a", "an", "and", "but",
        "so", "it", "that", "this", "my", "your", "we", "you", "he", "she", "they", "what", "how", "why", "when",
        "where", "who", "which", "image", "photo", "mom", "dad", "god", "january", "february", "march", "april",
        "june", "july", "august", "september", "october", "november", "december",
    };

    /// <summary>Extracts normalized entities from a text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="knownNames">Names always recognized as entities, even at a sentence start (the participants).</param>
    /// <returns>Distinct entities in order of first mention.</returns>
    public static List<string> Extract(string? text, IReadOnlyCollection<string>? knownNames = null)
    {
        var result = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return result;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var sentence in SentenceSplitter.Split(text))
        {
            // Split on white space only: punctuation after a word ("Paris, London") ends an entity run.
            var tokens = sentence.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var run = new List<string>();
            for (var i = 0; i < tokens.Length; i++)
            {
                var token = tokens[i].TrimStart('(', '"', '\u201C', '\'');
                var endsRun = token.Length > 0 && token[^1] is ',' or ';' or ':' or '!' or '?' or ')' or '"' or '\u201D' or '.';
                var raw = token.TrimEnd(',', ';', ':', '!', '?', ')', '"', '\u201D', '.', '\'', '\u2019');
                if (raw.EndsWith("'s", StringComparison.Ordinal) || raw.EndsWith("\u2019s", StringComparison.Ordinal))
                {
                    raw = raw[..^2];
                }

                var isKnown = knownNames is not null && knownNames.Contains(raw, StringComparer.OrdinalIgnoreCase);
                var acronym = raw.Length is > 1 and <= 6 && raw.All(c => char.IsUpper(c) || char.IsDigit(c) || c == '+');
                var capitalized = raw.Length > 1 && char.IsUpper(raw[0]) && !NotEntities.Contains(raw) && (raw.Any(char.IsLower) || acronym);
                var isYear = raw.Length == 4 && (raw.StartsWith("19", StringComparison.Ordinal) || raw.StartsWith("20", StringComparison.Ordinal)) && raw.All(char.IsDigit);
                if ((capitalized && (i > 0 || isKnown || run.Count > 0)) || isKnown)
                {
                    run.Add(raw);
                    if (endsRun || token.EndsWith("'s", StringComparison.Ordinal) || token.EndsWith("\u2019s", StringComparison.Ordinal))
                    {
                        Flush(run, result, seen);
                    }
                }
                else
                {
                    Flush(run, result, seen);
                    if (isYear)
                    {
                        Add(raw, result, seen);
                    }
                }
            }

            Flush(run, result, seen);
        }

        return result;
    }

    /// <summary>Normalizes an entity name: trimmed, single-spaced, title case per word, accents kept.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The normalized name.</returns>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var parts = name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var p = parts[i];
            parts[i] = p.Length == 0 ? p
                : p.All(char.IsUpper) && p.Length <= 5 ? p // acronyms: LGBTQ, NYC
                : char.ToUpper(p[0], CultureInfo.InvariantCulture) + p[1..].ToLowerInvariant();
        }

        return string.Join(' ', parts);
    }

    private static void Flush(List<string> run, List<string> result, HashSet<string> seen)
    {
        if (run.Count > 0)
        {
            Add(string.Join(' ', run), result, seen);
            run.Clear();
        }
    }

    private static void Add(string entity, List<string> result, HashSet<string> seen)
    {
        var normalized = Normalize(entity);
        if (normalized.Length > 1 && seen.Add(normalized))
        {
            result.Add(normalized);
        }
    }
}
