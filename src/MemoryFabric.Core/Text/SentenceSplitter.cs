namespace MemoryFabric.Text;

/// <summary>Splits conversational text into sentences on ., !, ? and line breaks, keeping common abbreviations
/// ("Mr.", "Dr.", "e.g.") and decimals ("3.5") intact.</summary>
public static class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "approx", "no", "jan", "feb",
        "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    };

    /// <summary>Splits a text into trimmed, non-empty sentences.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The sentences, in order; each keeps its final punctuation.</returns>
    public static List<string> Split(string? text)
    {
        var result = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return result;
        }

        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\n' or '\r')
            {
                AddSentence(text, start, i, result);
                start = i + 1;
                continue;
            }

            if (c is not ('.' or '!' or '?'))
            {
                continue;
            }

            // Swallow runs like "?!" and "..." and closing quotes or brackets.
            var end = i;
            while (end + 1 < text.Length && (text[end + 1] is '.' or '!' or '?' or '"' or '\'' or ')' or '\u201D' or '\u2019'))
            {
                end++;
            }

            if (c == '.' && IsNonTerminalPeriod(text, i))
            {
                continue;
            }

            if (end + 1 < text.Length && !char.IsWhiteSpace(text[end + 1]))
            {
                i = end;
                continue;
            }

            AddSentence(text, start, end + 1, result);
            start = end + 1;
            i = end;
        }

        AddSentence(text, start, text.Length, result);
        return result;
    }

    private static bool IsNonTerminalPeriod(string text, int i)
    {
        if (i > 0 && i + 1 < text.Length && char.IsDigit(text[i - 1]) && char.IsDigit(text[i + 1]))
        {
            return true;
        }

        var j = i - 1;
        while (j >= 0 && (char.IsLetter(text[j]) || text[j] == '.'))
        {
            j--;
        }

        var word = text.Substring(j + 1, i - j - 1);
        return word.Length > 0 && (Abbreviations.Contains(word) || (word.Length == 1 && char.IsUpper(word[0])));
    }

    private static void AddSentence(string text, int start, int end, List<string> result)
    {
        if (end <= start)
        {
            return;
        }

        var s = text.AsSpan(start, end - start).Trim();
        if (s.Length > 0)
        {
            result.Add(s.ToString());
        }
    }
}
