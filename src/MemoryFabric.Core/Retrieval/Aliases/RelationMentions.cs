using System.Text.RegularExpressions;

namespace MemoryFabric.Retrieval.Aliases;

/// <summary>
/// How people name their relatives and close ones in conversation: a definition ties a relation to a name ("Hamza (my
/// brother)", "my grandpa Tariq", "Juniper, my niece"), a mention uses the relation alone ("my bro just ran a
/// marathon"). Relation words are normalised (bro → brother, gramps → grandfather, sis → sister). English only.
/// </summary>
public static class RelationMentions
{
    // Each relation under its canonical name, with the words people use for it.
    private static readonly Dictionary<string, string> Canonical = Build(new Dictionary<string, string[]>
    {
        ["brother"] = ["brother", "bro", "big brother", "little brother", "younger brother", "older brother"],
        ["sister"] = ["sister", "sis", "big sister", "little sister", "younger sister", "older sister"],
        ["mother"] = ["mother", "mom", "mum", "mommy", "mummy", "mama", "momma"],
        ["father"] = ["father", "dad", "daddy", "papa"],
        ["grandfather"] = ["grandfather", "grandpa", "granddad", "grandad", "gramps"],
        ["grandmother"] = ["grandmother", "grandma", "granny", "gran", "nana", "nan"],
        ["son"] = ["son"],
        ["daughter"] = ["daughter"],
        ["husband"] = ["husband", "hubby"],
        ["wife"] = ["wife", "wifey"],
        ["partner"] = ["partner"],
        ["boyfriend"] = ["boyfriend", "bf"],
        ["girlfriend"] = ["girlfriend", "gf"],
        ["fiance"] = ["fiance", "fiancé", "fiancee", "fiancée"],
        ["cousin"] = ["cousin"],
        ["niece"] = ["niece"],
        ["nephew"] = ["nephew"],
        ["aunt"] = ["aunt", "auntie", "aunty"],
        ["uncle"] = ["uncle"],
        ["roommate"] = ["roommate", "roomie", "flatmate"],
        ["best friend"] = ["best friend", "bff", "bestie"],
        ["boss"] = ["boss"],
    });

    // The relation words as one alternation, longest first ("big brother" before "brother"), spaces as any whitespace.
    private static readonly string RelationAlternation = string.Join(
        '|', Canonical.Keys.OrderByDescending(k => k.Length).Select(k => string.Join(@"\s+", k.Split(' ').Select(Regex.Escape))));

    // "Hamza (my brother)", "Juniper, my niece": a capitalised name, then the relation.
    private static readonly Regex NameThenRelation = new(
        @"(?<![\w'])(?<name>\p{Lu}[\p{Ll}'’-]+)\s*(?:\(\s*|,\s*)(?i:my)\s+(?<rel>(?i:" + RelationAlternation + @"))\b", RegexOptions.CultureInvariant);

    // "my grandpa Tariq", "my sister, Ingrid": the relation, then a capitalised name.
    private static readonly Regex RelationThenName = new(
        @"\b(?i:my)\s+(?<rel>(?i:" + RelationAlternation + @")),?\s+(?<name>\p{Lu}[\p{Ll}'’-]+)(?![\w])", RegexOptions.CultureInvariant);

    // "my bro", named or not.
    private static readonly Regex Mention = new(@"\bmy\s+(?<rel>" + RelationAlternation + @")\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    // Capitalised words that start a clause or are not names.
    private static readonly HashSet<string> NotNames = new(StringComparer.Ordinal)
    {
        "I", "I'm", "I've", "I'll", "I'd", "The", "A", "An", "And", "But", "So", "Or", "He", "She", "They", "We", "You", "It",
        "His", "Her", "Their", "Our", "Your", "My", "This", "That", "These", "Those", "What", "When", "Where", "Who", "Why",
        "How", "Yes", "No", "Ok", "OK", "Okay", "Lol", "LOL", "Omg", "OMG", "Just", "Also", "Today", "Tomorrow", "Yesterday",
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Mr", "Mrs", "Ms", "Dr",
    };

    /// <summary>The relations a text ties to a name.</summary>
    /// <param name="text">The text.</param>
    /// <returns>Each definition: the canonical relation and the name, in the text's order.</returns>
    public static IReadOnlyList<(string Relation, string Name)> Definitions(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains("my ", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var found = new List<(int At, string Relation, string Name)>();
        foreach (Match m in NameThenRelation.Matches(text))
        {
            Add(found, m.Index, m.Groups["rel"].Value, m.Groups["name"].Value);
        }

        foreach (Match m in RelationThenName.Matches(text))
        {
            Add(found, m.Index, m.Groups["rel"].Value, m.Groups["name"].Value);
        }

        return [.. found.OrderBy(f => f.At).Select(f => (f.Relation, f.Name)).Distinct()];
    }

    /// <summary>The relations a text mentions as "my …", named or not.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The canonical relations, each once.</returns>
    public static IReadOnlyList<string> Mentions(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains("my ", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        return [.. Mention.Matches(text).Select(m => Canonical[Normalise(m.Groups["rel"].Value)]).Distinct()];
    }

    private static void Add(List<(int, string, string)> found, int at, string relation, string name)
    {
        if (name.EndsWith("'s", StringComparison.Ordinal) || name.EndsWith("’s", StringComparison.Ordinal))
        {
            name = name[..^2]; // "my dad Tom's car"
        }

        if (name.Length > 1 && !NotNames.Contains(name) && Canonical.TryGetValue(Normalise(relation), out var canonical))
        {
            found.Add((at, canonical, name));
        }
    }

    private static string Normalise(string relation) => Regex.Replace(relation.ToLowerInvariant(), @"\s+", " ");

    private static Dictionary<string, string> Build(Dictionary<string, string[]> relations)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (canonical, words) in relations)
        {
            foreach (var word in words)
            {
                map[word] = canonical;
            }
        }

        return map;
    }
}
