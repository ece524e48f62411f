namespace MemoryFabric.Benchmarks.LargeAgent;

/// <summary>Seeded statements and queries for <see cref="LargeAgentBenchmark"/>: pseudo-words from syllables (a few
/// thousand), each statement a person, an action, an object, a place and a number, so that neighbours share some words
/// and no two turns are alike. No statement ends with a question mark (no turn is indexed with a question).</summary>
internal sealed class SyntheticTalk(int seed)
{
    private static readonly string[] Syllables = ["ba", "ko", "ri", "lu", "me", "sa", "ti", "no", "ve", "da", "pu", "xe", "go", "fi", "ra", "zo", "he", "mi", "ta", "ne"];
    private static readonly string[] Actions = ["keeps", "repairs", "sells", "paints", "borrows", "finds", "cooks", "plants", "visits", "orders", "loses", "builds"];

    private readonly Random _random = new(seed);
    private readonly string[] _people = Words(new Random(seed + 1), 300, 2);
    private readonly string[] _things = Words(new Random(seed + 2), 1500, 3);
    private readonly string[] _places = Words(new Random(seed + 3), 600, 3);

    /// <summary>The i-th statement (its number makes it unique).</summary>
    /// <param name="i">The index.</param>
    /// <returns>The statement.</returns>
    public string Statement(int i) =>
        $"{Pick(_people)} {Pick(Actions)} the {Pick(_things)} and the {Pick(_things)} near {Pick(_places)}, entry {i}.";

    /// <summary>A query: a person, an object and a place, some of which many turns share.</summary>
    /// <returns>The query.</returns>
    public string Query() => $"what did {Pick(_people)} do with the {Pick(_things)} in {Pick(_places)}";

    private string Pick(string[] words) => words[_random.Next(words.Length)];

    private static string[] Words(Random random, int count, int syllables)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < count)
        {
            words.Add(string.Concat(Enumerable.Range(0, syllables).Select(_ => Syllables[random.Next(Syllables.Length)])));
        }

        return [.. words];
    }
}
