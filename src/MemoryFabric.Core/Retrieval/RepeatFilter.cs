using MemoryFabric.Text;

namespace MemoryFabric.Retrieval;

/// <summary>
/// Recognises an item that repeats one already in a context: the same level and the same letters and digits in its
/// line, case, accents aside, punctuation and spacing aside ("Caroline: I love my new pottery class!" and "caroline:
/// i love my new  pottery class" are one; a turn's line starts with its speaker, so another speaker's words are
/// another line). A line with fewer than <see cref="MinRepeatTerms"/> search terms, speaker included, never repeats:
/// a short reply ("Yes.", "Thanks!") takes its meaning from the turns around it. One pass over each line without
/// allocating; the terms are counted once for a line that another one matches. Not thread-safe.
/// </summary>
internal sealed class RepeatFilter
{
    /// <summary>A line with fewer search terms than this (speaker included) is never a repeat.</summary>
    public const int MinRepeatTerms = 3;

    private readonly Dictionary<(MemoryItemKind Kind, ulong Hash), Seen> _seen = [];

    /// <summary>Whether an item repeats one <see cref="Add"/>ed before.</summary>
    /// <param name="item">The item; <see cref="ContextItem.Text"/> is its line.</param>
    /// <returns><see langword="true"/> for a repeat.</returns>
    public bool Repeats(ContextItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!_seen.TryGetValue((item.Kind, Hash(item.Text)), out var earlier) || !SameLetters(earlier.Text, item.Text))
        {
            return false;
        }

        earlier.Long ??= TextAnalyzer.Terms(earlier.Text).Count >= MinRepeatTerms; // once per line
        return earlier.Long.Value;
    }

    /// <summary>Remembers an item that went into the context (the first of its line is kept).</summary>
    /// <param name="item">The item.</param>
    public void Add(ContextItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _seen.TryAdd((item.Kind, Hash(item.Text)), new Seen(item.Text));
    }

    /// <summary><see cref="Repeats"/>, and <see cref="Add"/> when it does not.</summary>
    /// <param name="item">The item.</param>
    /// <returns><see langword="true"/> for a repeat (not added).</returns>
    public bool RepeatsOrAdd(ContextItem item)
    {
        if (Repeats(item))
        {
            return true;
        }

        Add(item);
        return false;
    }

    // FNV-1a over the line's letters and digits, lower-cased (accents stripped from the common Latin letters).
    private static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                hash = (hash ^ Fold(c)) * 1099511628211UL;
            }
        }

        return hash;
    }

    private static bool SameLetters(string a, string b)
    {
        int i = 0, j = 0;
        while (true)
        {
            while (i < a.Length && !char.IsLetterOrDigit(a[i]))
            {
                i++;
            }

            while (j < b.Length && !char.IsLetterOrDigit(b[j]))
            {
                j++;
            }

            if (i == a.Length || j == b.Length)
            {
                return i == a.Length && j == b.Length;
            }

            if (Fold(a[i++]) != Fold(b[j++]))
            {
                return false;
            }
        }
    }

    private static char Fold(char c)
    {
        if (c < 128)
        {
            return c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
        }

        var folded = TextAnalyzer.StripAccents(c.ToString());
        return char.ToLowerInvariant(folded.Length == 1 ? folded[0] : c);
    }

    private sealed class Seen(string text)
    {
        public string Text { get; } = text;

        public bool? Long { get; set; } // whether the line has enough terms to repeat, once asked
    }
}
