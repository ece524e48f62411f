using System.Globalization;
using System.Text;

namespace MemoryFabric.Text;

/// <summary>Splits text into lower-case words and search terms (stopwords removed, lightly stemmed).</summary>
public static class TextAnalyzer
{
    /// <summary>Splits text into lower-case words: letters and digits, accents stripped, possessive 's dropped,
    /// inner apostrophes kept ("don't").</summary>
    /// <param name="text">The text.</param>
    /// <returns>The words, in order.</returns>
    public static List<string> Words(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return words;
        }

        var source = HasNonAscii(text) ? StripAccents(text) : text;
        var sb = new StringBuilder();
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
            else if ((c == '\'' || c == '\u2019') && sb.Length > 0 && i + 1 < source.Length && char.IsLetter(source[i + 1]))
            {
                // "Melanie's" -> "melanie"; "don't" -> "don't".
                if ((source[i + 1] == 's' || source[i + 1] == 'S') && (i + 2 >= source.Length || !char.IsLetterOrDigit(source[i + 2])))
                {
                    Flush(sb, words);
                    i++;
                }
                else
                {
                    sb.Append('\'');
                }
            }
            else
            {
                Flush(sb, words);
            }
        }

        Flush(sb, words);
        return words;
    }

    /// <summary>The search terms of a text: words without stopwords, stemmed.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The terms, in order (repeats kept).</returns>
    public static List<string> Terms(string? text)
    {
        var words = Words(text);
        var terms = new List<string>(words.Count);
        foreach (var w in words)
        {
            if (!EnglishStopwords.Contains(w))
            {
                terms.Add(LightStemmer.Stem(w.Replace("'", string.Empty, StringComparison.Ordinal)));
            }
        }

        return terms;
    }

    /// <summary>The content words of a text: words without stopwords and without apostrophes, unstemmed.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The content words, in order.</returns>
    public static List<string> ContentWords(string? text)
    {
        var result = new List<string>();
        foreach (var w in Words(text))
        {
            if (!EnglishStopwords.Contains(w))
            {
                result.Add(w.Replace("'", string.Empty, StringComparison.Ordinal));
            }
        }

        return result;
    }

    /// <summary>Removes diacritics ("café" → "cafe") and folds compatibility forms (full-width letters).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The folded text.</returns>
    public static string StripAccents(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var decomposed = text.Normalize(NormalizationForm.FormKD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static bool HasNonAscii(string text)
    {
        foreach (var c in text)
        {
            if (c > 127)
            {
                return true;
            }
        }

        return false;
    }

    private static void Flush(StringBuilder sb, List<string> words)
    {
        if (sb.Length > 0)
        {
            words.Add(sb.ToString());
            sb.Clear();
        }
    }
}
