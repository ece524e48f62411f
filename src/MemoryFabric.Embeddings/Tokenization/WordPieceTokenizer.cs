using System.Text;

namespace MemoryFabric.Embeddings.Tokenization;

/// <summary>
/// WordPiece: splits one pre-tokenized word into the longest vocabulary pieces, greedily from the left, the
/// pieces after the first carrying the <c>##</c> prefix. A word longer than <see cref="MaxCharsPerWord"/>
/// code points, or one with a part no piece matches, becomes a single <c>[UNK]</c>.
/// </summary>
internal sealed class WordPieceTokenizer
{
    /// <summary>The longest word (in Unicode code points) that is split; longer ones are <c>[UNK]</c>.</summary>
    public const int MaxCharsPerWord = 100;

    private readonly WordPieceVocabulary _vocabulary;

    /// <summary>Creates a tokenizer over a vocabulary.</summary>
    public WordPieceTokenizer(WordPieceVocabulary vocabulary) => _vocabulary = vocabulary;

    /// <summary>Appends the pieces of <paramref name="word"/> to <paramref name="ids"/>.</summary>
    /// <param name="word">A non-empty normalized word (no whitespace, no punctuation inside).</param>
    /// <param name="ids">The output buffer.</param>
    /// <param name="count">The number of ids already in <paramref name="ids"/>; advanced past the new ones.</param>
    /// <param name="limit">The capacity that may be used; pieces past it are dropped.</param>
    /// <returns>The number of pieces the word has (also those dropped by <paramref name="limit"/>).</returns>
    public int Tokenize(ReadOnlySpan<char> word, Span<int> ids, ref int count, int limit)
    {
        if (word.Length > MaxCharsPerWord && CodePoints(word) > MaxCharsPerWord)
        {
            Append(_vocabulary.UnknownId, ids, ref count, limit);
            return 1;
        }

        // First pass: find the pieces. Only append them once the whole word is known to split, because a
        // word with an unmatched part becomes one [UNK] however many pieces matched before it.
        Span<int> pieces = stackalloc int[MaxCharsPerWord];
        var n = 0;
        var start = 0;
        while (start < word.Length)
        {
            var end = word.Length;
            var found = -1;
            while (end > start)
            {
                var piece = word[start..end];
                if (start == 0 ? _vocabulary.TryGetInitial(piece, out var id) : _vocabulary.TryGetContinuation(piece, out id))
                {
                    found = id;
                    break;
                }

                end--;
                if (end > start && char.IsLowSurrogate(word[end]) && char.IsHighSurrogate(word[end - 1]))
                {
                    end--;   // never split a surrogate pair
                }
            }

            if (found < 0)
            {
                Append(_vocabulary.UnknownId, ids, ref count, limit);
                return 1;
            }

            pieces[n++] = found;
            start = end;
        }

        foreach (var id in pieces[..n])
        {
            Append(id, ids, ref count, limit);
        }

        return n;
    }

    private static void Append(int id, Span<int> ids, ref int count, int limit)
    {
        if (count < limit)
        {
            ids[count] = id;
        }

        count++;
    }

    private static int CodePoints(ReadOnlySpan<char> text)
    {
        var n = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            n++;
        }

        return n;
    }
}
