using MemoryFabric.Text;

namespace MemoryFabric.Retrieval.Passages;

/// <summary>
/// Cuts a long turn into passages: one window per sentence, starting at it and taking the sentences that follow
/// while the window stays within <see cref="PassageOptions.PassageTokens"/> (a sentence longer than that is a window of
/// its own). Windows overlap, so a fact is whole in at least one of them whichever sentence it starts in.
/// </summary>
public static class PassageSplitter
{
    /// <summary>Whether a turn is long enough to be indexed as passages.</summary>
    /// <param name="text">The turn's text.</param>
    /// <param name="options">The thresholds.</param>
    /// <returns>Whether it has more than <see cref="PassageOptions.LongTurnTokens"/> tokens.</returns>
    public static bool IsLong(string text, PassageOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        return options.LongTurnTokens > 0 && ContextTokens.Count(text) > options.LongTurnTokens;
    }

    /// <summary>The passages of a turn: none when it is not long.</summary>
    /// <param name="turnId">The turn id each passage carries.</param>
    /// <param name="text">The turn's text.</param>
    /// <param name="options">The thresholds.</param>
    /// <returns>The passages, in order of their first sentence.</returns>
    public static IReadOnlyList<TurnPassage> Split(string turnId, string text, PassageOptions options)
    {
        ArgumentNullException.ThrowIfNull(turnId);
        if (!IsLong(text, options))
        {
            return [];
        }

        var sentences = Locate(text);
        var maxCharacters = ContextTokens.Characters(Math.Max(1, options.PassageTokens));
        var passages = new List<TurnPassage>(sentences.Count);
        var lastEnd = -1;
        for (var first = 0; first < sentences.Count; first++)
        {
            var start = sentences[first].Start;
            var end = sentences[first].End;
            for (var next = first + 1; next < sentences.Count && sentences[next].End - start <= maxCharacters; next++)
            {
                end = sentences[next].End;
            }

            if (end == lastEnd && passages.Count > 0)
            {
                continue; // the tail: a shorter window inside the previous one adds nothing
            }

            passages.Add(new TurnPassage(turnId, passages.Count, start, end - start));
            lastEnd = end;
        }

        return passages;
    }

    // The sentences as spans of the text (SentenceSplitter trims them, so each is found after the previous one).
    private static List<(int Start, int End)> Locate(string text)
    {
        var spans = new List<(int, int)>();
        var position = 0;
        foreach (var sentence in SentenceSplitter.Split(text))
        {
            var at = text.IndexOf(sentence, position, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            spans.Add((at, at + sentence.Length));
            position = at + sentence.Length;
        }

        if (spans.Count == 0)
        {
            spans.Add((0, text.Length));
        }

        return spans;
    }
}
