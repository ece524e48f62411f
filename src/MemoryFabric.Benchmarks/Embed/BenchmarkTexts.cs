namespace MemoryFabric.Benchmarks.Embed;

/// <summary>Deterministic benchmark texts of a target length in tokens, built from everyday conversational
/// sentences (so the benchmark needs no dataset).</summary>
internal static class BenchmarkTexts
{
    private static readonly string[] Sentences =
    [
        "I went hiking with my sister last weekend and we saw a family of deer near the lake.",
        "My manager asked me to finish the quarterly report before Friday afternoon.",
        "We adopted a golden retriever puppy named Biscuit from the local shelter.",
        "The new bakery on Maple Street sells the best sourdough bread in town.",
        "I have been learning to play the violin for about three years now.",
        "Our flight to Lisbon was delayed by four hours because of a storm.",
        "She started a pottery class on Tuesday evenings at the community center.",
        "My grandmother's recipe for apple pie uses cinnamon, nutmeg and a little lemon zest.",
        "The team decided to move the product launch from March to early June.",
        "He told me he is allergic to peanuts, so we changed the dinner menu.",
        "I finally finished reading that long novel about the lighthouse keeper.",
        "They are planning a road trip along the coast with their two kids this summer.",
        "Could you remind me what time the dentist appointment is on Thursday?",
        "The conference keynote was about renewable energy and battery storage.",
        "I painted the spare bedroom a soft shade of green last month.",
        "Our book club is reading a mystery set in a small village in Scotland.",
        "My brother just got a job as a nurse at the children's hospital.",
        "We volunteered at the food bank on Saturday morning and sorted donations.",
        "The concert was amazing, especially when the band played their old songs.",
        "I switched to cycling to work because the bus was always late.",
        "She is saving money to open a small coffee shop near the university.",
        "The doctor recommended more sleep and less coffee after three in the afternoon.",
        "We celebrated my parents' thirtieth wedding anniversary with a big dinner.",
        "I am thinking about taking a photography course to improve my landscape shots.",
    ];

    /// <summary>Builds <paramref name="count"/> texts whose token counts (with [CLS] and [SEP]) are close to
    /// <paramref name="targetTokens"/>: sentences are appended, then words trimmed, until the count fits.</summary>
    /// <param name="countTokens">Counts a text's tokens, special tokens included.</param>
    /// <param name="targetTokens">The wanted length.</param>
    /// <param name="count">How many texts.</param>
    /// <param name="seed">The seed of the sentence order.</param>
    /// <returns>The texts.</returns>
    public static IReadOnlyList<string> Build(Func<string, int> countTokens, int targetTokens, int count, int seed)
    {
        var random = new Random(seed);
        var texts = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var words = new List<string>();
            while (countTokens(string.Join(' ', words)) < targetTokens)
            {
                words.AddRange(Sentences[random.Next(Sentences.Length)].Split(' '));
            }

            while (words.Count > 1 && countTokens(string.Join(' ', words)) > targetTokens)
            {
                words.RemoveAt(words.Count - 1);
            }

            texts.Add(string.Join(' ', words));
        }

        return texts;
    }
}
