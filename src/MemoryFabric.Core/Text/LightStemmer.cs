namespace MemoryFabric.Text;

/// <summary>
/// A light English stemmer (plural and -ed/-ing suffixes, in the spirit of Porter's step 1): conservative, so that
/// "dogs" meets "dog" and "painting" meets "paint" without conflating unrelated words.
/// </summary>
public static class LightStemmer
{
    /// <summary>Stems a lower-case word.</summary>
    /// <param name="word">The word, lower-case.</param>
    /// <returns>The stem.</returns>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length <= 3 || !IsAlphabetic(word))
        {
            return word;
        }

        var w = word;
        if (w.EndsWith("sses", StringComparison.Ordinal))
        {
            w = w[..^2];
        }
        else if (w.EndsWith("ies", StringComparison.Ordinal) && w.Length > 4)
        {
            w = w[..^3] + "y";
        }
        else if (w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal)
                 && !w.EndsWith("is", StringComparison.Ordinal))
        {
            w = w[..^1];
        }

        if (w.EndsWith("eed", StringComparison.Ordinal))
        {
            return w.Length > 4 ? w[..^1] : w;
        }

        string? stripped = null;
        if (w.EndsWith("ing", StringComparison.Ordinal) && w.Length >= 6 && HasVowel(w.AsSpan(0, w.Length - 3)))
        {
            stripped = w[..^3];
        }
        else if (w.EndsWith("ed", StringComparison.Ordinal) && w.Length >= 5 && HasVowel(w.AsSpan(0, w.Length - 2)))
        {
            stripped = w[..^2];
        }

        if (stripped is null)
        {
            return w;
        }

        if (stripped.EndsWith("at", StringComparison.Ordinal) || stripped.EndsWith("bl", StringComparison.Ordinal)
            || stripped.EndsWith("iz", StringComparison.Ordinal))
        {
            return stripped + "e";
        }

        var n = stripped.Length;
        if (n >= 2 && stripped[n - 1] == stripped[n - 2] && !IsVowel(stripped[n - 1]) && stripped[n - 1] is not ('l' or 's' or 'z'))
        {
            return stripped[..^1];
        }

        // Porter step 1b: a short consonant-vowel-consonant stem gets its "e" back (hiking -> hike, loved -> love).
        return Measure(stripped) == 1 && EndsCvc(stripped) ? stripped + "e" : stripped;
    }

    // The number of vowel-consonant sequences of a stem (Porter's m).
    private static int Measure(string s)
    {
        var m = 0;
        var previousVowel = false;
        for (var i = 0; i < s.Length; i++)
        {
            var vowel = IsVowel(s[i]) || (s[i] == 'y' && i > 0 && !IsVowel(s[i - 1]));
            if (!vowel && previousVowel)
            {
                m++;
            }

            previousVowel = vowel;
        }

        return m;
    }

    private static bool EndsCvc(string s) =>
        s.Length >= 3 && !IsVowel(s[^1]) && s[^1] is not ('w' or 'x' or 'y') && IsVowel(s[^2]) && !IsVowel(s[^3]);

    private static bool IsAlphabetic(string w)
    {
        foreach (var c in w)
        {
            if (c is < 'a' or > 'z')
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasVowel(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (IsVowel(c) || c == 'y')
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';
}
