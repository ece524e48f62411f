namespace MemoryFabric.Benchmarks.Behaviour;

/// <summary>Distinct facts about many people, each with a question that asks for it in other words: the texts of the
/// behaviour probe. Facts share names and attributes with each other, so every new fact meets older partial matches.</summary>
internal static class FactCorpus
{
    private static readonly string[] Names =
    [
        "Alice", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiroshi", "Ingrid", "Jamal", "Keiko", "Lars",
        "Maya", "Nikolai", "Olga", "Pedro", "Quinn", "Rosa", "Samir", "Tamsin", "Umar", "Vera", "Wendell", "Ximena",
        "Yusuf", "Zoe", "Anders", "Beatriz", "Callum", "Dalia", "Emeka", "Fiona", "Gustavo", "Hana", "Idris", "Julia",
        "Kwame", "Leila", "Marco", "Noor",
    ];

    private static readonly Template[] Templates =
    [
        new("{0} adopted a {1} last spring.", "What pet did {0} adopt?",
            ["beagle", "tabby cat", "grey parrot", "corn snake", "border collie", "lop-eared rabbit", "bearded dragon", "pair of goldfish"]),
        new("{0} is allergic to {1}.", "What is {0} allergic to?",
            ["peanuts", "shellfish", "bee stings", "penicillin", "cat dander", "pollen", "latex", "sesame"]),
        new("{0}'s favourite novel is {1}.", "Which book does {0} love most?",
            ["Moby Dick", "Middlemarch", "The Hobbit", "Beloved", "Dune", "Emma", "Ulysses", "Rebecca"]),
        new("{0} plays the {1} in a community band.", "What instrument does {0} play?",
            ["trombone", "cello", "clarinet", "banjo", "oboe", "accordion", "bassoon", "tuba"]),
        new("{0} drives an old {1}.", "What car does {0} drive?",
            ["Volvo estate", "Fiat Panda", "Land Rover", "Saab convertible", "Toyota pickup", "Citroen 2CV", "Mini Cooper", "Ford Mustang"]),
        new("{0} grew up in {1}.", "Where did {0} spend their childhood?",
            ["Lisbon", "Nairobi", "Osaka", "Winnipeg", "Valparaiso", "Tbilisi", "Dundee", "Hobart"]),
        new("{0} is training for a {1}.", "What event is {0} preparing for?",
            ["marathon", "triathlon", "chess tournament", "powerlifting meet", "spelling bee", "cycling race", "swim across the lake", "mountain ultramarathon"]),
        new("{0} works as a {1}.", "What does {0} do for a living?",
            ["veterinarian", "tax auditor", "ferry captain", "locksmith", "midwife", "sound engineer", "beekeeper", "court stenographer"]),
        new("{0} collects {1}.", "What does {0} collect as a hobby?",
            ["vintage postcards", "fountain pens", "vinyl records", "old maps", "seashells", "comic books", "tea tins", "pocket watches"]),
        new("{0}'s birthday is on {1}.", "When is {0}'s birthday?",
            ["the third of March", "the ninth of July", "New Year's Eve", "the first of May", "the twelfth of October", "Valentine's Day", "the last day of August", "the fifth of November"]),
        new("{0} is learning {1} in the evenings.", "Which language is {0} studying?",
            ["Portuguese", "Korean", "Finnish", "Swahili", "Icelandic", "Turkish", "Welsh", "Hungarian"]),
        new("{0}'s favourite dish is {1}.", "What food does {0} like best?",
            ["mushroom risotto", "lamb tagine", "pad thai", "beef rendang", "shakshuka", "pierogi", "ceviche", "moussaka"]),
    ];

    /// <summary>How many distinct facts the corpus can give.</summary>
    public static int Capacity => Names.Length * Templates.Length;

    /// <summary>Distinct facts (no two about the same person and attribute).</summary>
    /// <param name="count">How many, up to <see cref="Capacity"/>.</param>
    /// <param name="seed">The seed of the choice.</param>
    /// <returns>The facts.</returns>
    public static IReadOnlyList<Fact> Distinct(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Capacity);
        var random = new Random(seed);
        var pairs = Enumerable.Range(0, Capacity).ToArray();
        random.Shuffle(pairs);
        return pairs.Take(count).Select(p => Make(Names[p / Templates.Length], Templates[p % Templates.Length], random)).ToList();
    }

    /// <summary>Facts that may repeat a person and attribute (with other values): a long conversation's worth.</summary>
    /// <param name="count">How many.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The facts.</returns>
    public static IReadOnlyList<Fact> Conversation(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Make(Names[random.Next(Names.Length)], Templates[random.Next(Templates.Length)], random))
            .ToList();
    }

    private static Fact Make(string name, Template template, Random random)
    {
        var value = template.Values[random.Next(template.Values.Length)];
        return new Fact(name, value, string.Format(System.Globalization.CultureInfo.InvariantCulture, template.Statement, name, value),
            string.Format(System.Globalization.CultureInfo.InvariantCulture, template.Question, name));
    }

    private sealed record Template(string Statement, string Question, string[] Values);
}

/// <summary>One fact of the probe.</summary>
/// <param name="Subject">Whom it is about.</param>
/// <param name="Value">The value it states.</param>
/// <param name="Statement">The fact as said.</param>
/// <param name="Question">A question that asks for it in other words.</param>
internal sealed record Fact(string Subject, string Value, string Statement, string Question);
