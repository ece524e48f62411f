using System.Buffers;
using System.Globalization;
using System.Text;

namespace MemoryFabric.Embeddings.Tokenization;

/// <summary>
/// The uncased BERT tokenizer, matching Hugging Face's <c>BertNormalizer</c> + <c>BertPreTokenizer</c> +
/// <c>WordPiece</c> (as configured in all-MiniLM-L6-v2's <c>tokenizer.json</c>, and as transformers.js runs it):
/// <list type="number">
/// <item>the special tokens <c>[CLS] [SEP] [PAD] [UNK] [MASK]</c> written literally in the text map to their ids;</item>
/// <item>clean-up: U+0000, U+FFFD and control/format/private-use/surrogate code points (Cc, Cf, Co, Cs) are dropped,
/// except tab, newline and carriage return, which like every other white space become a space;</item>
/// <item>CJK ideographs are surrounded by spaces, so each is a word;</item>
/// <item>lower-casing (with the final-sigma rule and İ → i), then accent stripping: NFD, then nonspacing marks (Mn) removed;</item>
/// <item>pre-tokenization: split on white space, and every punctuation character (Unicode P*, plus the ASCII
/// symbol ranges 33–47, 58–64, 91–96, 123–126) is a word of its own;</item>
/// <item>WordPiece on each word (<see cref="WordPieceTokenizer"/>);</item>
/// <item><c>[CLS]</c> … <c>[SEP]</c> around the pieces, truncated on the right to the maximum length.</item>
/// </list>
/// Thread-safe; ASCII text is handled without Unicode normalization, and no string is allocated per token.
/// </summary>
internal sealed class BertTokenizer
{
    private static readonly string[] SpecialTokens = ["[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"];

    private readonly WordPieceTokenizer _wordPiece;
    private readonly (string Text, int Id)[] _specials;

    /// <summary>Creates a tokenizer over a vocabulary.</summary>
    public BertTokenizer(WordPieceVocabulary vocabulary)
    {
        Vocabulary = vocabulary;
        _wordPiece = new WordPieceTokenizer(vocabulary);
        _specials = [.. SpecialTokens.Select(t => (t, vocabulary.TryGetInitial(t, out var id) ? id : -1)).Where(s => s.Item2 >= 0)];
    }

    /// <summary>The vocabulary.</summary>
    public WordPieceVocabulary Vocabulary { get; }

    /// <summary>Loads the tokenizer from a <c>vocab.txt</c> file.</summary>
    public static BertTokenizer Load(string vocabularyPath) => new(WordPieceVocabulary.Load(vocabularyPath));

    /// <summary>Encodes a text as <c>[CLS]</c> pieces <c>[SEP]</c>, truncated to <paramref name="maxLength"/> ids.</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxLength">The maximum number of ids, [CLS] and [SEP] included (at least 2).</param>
    /// <returns>The ids.</returns>
    public int[] Encode(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var pieces = ArrayPool<int>.Shared.Rent(maxLength);
        try
        {
            var count = Pieces(text, pieces, maxLength - 2, stopAtLimit: true);
            count = Math.Min(count, maxLength - 2);
            var ids = new int[count + 2];
            ids[0] = Vocabulary.ClassifierId;
            pieces.AsSpan(0, count).CopyTo(ids.AsSpan(1));
            ids[count + 1] = Vocabulary.SeparatorId;
            return ids;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(pieces);
        }
    }

    /// <summary>The number of ids the text encodes to before truncation, [CLS] and [SEP] included.</summary>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Pieces(text, [], 0, stopAtLimit: false) + 2;
    }

    // Writes up to `limit` word-piece ids of `text` into `ids`; returns how many pieces the text has (all of
    // them unless stopAtLimit, which stops once the limit is reached).
    private int Pieces(string text, Span<int> ids, int limit, bool stopAtLimit)
    {
        var count = 0;
        var segmentStart = 0;
        var searchFrom = 0;
        while (searchFrom < text.Length)
        {
            var open = text.IndexOf('[', searchFrom);
            if (open < 0)
            {
                break;
            }

            var special = MatchSpecial(text.AsSpan(open));
            if (special < 0)
            {
                searchFrom = open + 1;
                continue;
            }

            Segment(text.AsSpan(segmentStart, open - segmentStart), ids, ref count, limit, stopAtLimit);
            if (stopAtLimit && count >= limit)
            {
                return count;
            }

            if (count < limit)
            {
                ids[count] = _specials[special].Id;
            }

            count++;
            segmentStart = searchFrom = open + _specials[special].Text.Length;
        }

        Segment(text.AsSpan(segmentStart), ids, ref count, limit, stopAtLimit);
        return count;
    }

    private int MatchSpecial(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < _specials.Length; i++)
        {
            if (text.StartsWith(_specials[i].Text, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void Segment(ReadOnlySpan<char> text, Span<int> ids, ref int count, int limit, bool stopAtLimit)
    {
        if (text.IsEmpty)
        {
            return;
        }

        // Clean-up, CJK spacing and lower-casing can triple the length (CJK gets two spaces).
        var buffer = ArrayPool<char>.Shared.Rent(text.Length * 3 + 8);
        char[]? decomposed = null;
        try
        {
            var length = Clean(text, buffer, out var ascii);
            ReadOnlySpan<char> normalized = buffer.AsSpan(0, length);
            if (!ascii)
            {
                decomposed = ArrayPool<char>.Shared.Rent(normalized.GetNormalizedLength(NormalizationForm.FormD));
                if (!normalized.TryNormalize(decomposed, out var written, NormalizationForm.FormD))
                {
                    throw new InvalidOperationException("NFD normalization did not fit its computed length.");
                }

                normalized = decomposed.AsSpan(0, StripMarks(decomposed.AsSpan(0, written)));
            }

            SplitWords(normalized, ids, ref count, limit, stopAtLimit);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
            if (decomposed is not null)
            {
                ArrayPool<char>.Shared.Return(decomposed);
            }
        }
    }

    // Clean-up, CJK spacing, white space to ' ', lower-casing. `ascii` tells whether the output is pure ASCII.
    private static int Clean(ReadOnlySpan<char> text, Span<char> output, out bool ascii)
    {
        var n = 0;
        ascii = true;
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (c < 0x80)
            {
                i++;
                if (c < 0x20 || c == 0x7F)
                {
                    if (c is '\t' or '\n' or '\r')
                    {
                        output[n++] = ' ';
                    }

                    continue;
                }

                output[n++] = c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;
                continue;
            }

            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed) != OperationStatus.Done)
            {
                i += consumed;   // a lone surrogate (Cs): dropped
                continue;
            }

            i += consumed;
            var category = Rune.GetUnicodeCategory(rune);
            if (rune.Value == 0xFFFD || category is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate)
            {
                continue;
            }

            if (category is UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                output[n++] = ' ';
                continue;
            }

            ascii = false;
            if (IsCjk(rune.Value))
            {
                output[n++] = ' ';
                n += rune.EncodeToUtf16(output[n..]);
                output[n++] = ' ';
                continue;
            }

            var lower = rune.Value switch
            {
                0x130 => new Rune('i'),                                      // İ: full lower-casing gives i + U+0307, whose mark is stripped
                0x3A3 => IsFinalSigma(text, i - consumed, i) ? new Rune('ς') : new Rune('σ'),
                _ => Rune.ToLowerInvariant(rune),
            };
            n += lower.EncodeToUtf16(output[n..]);
        }

        return n;
    }

    // Σ lower-cases to ς at the end of a word: after a letter, and not before one (case-ignorable marks skipped).
    private static bool IsFinalSigma(ReadOnlySpan<char> text, int start, int end)
    {
        var before = false;
        for (var j = start; j > 0;)
        {
            Rune.DecodeLastFromUtf16(text[..j], out var r, out var used);
            j -= used;
            if (!IsCaseIgnorable(r))
            {
                before = Rune.IsLetter(r);
                break;
            }
        }

        if (!before)
        {
            return false;
        }

        for (var j = end; j < text.Length;)
        {
            Rune.DecodeFromUtf16(text[j..], out var r, out var used);
            j += used;
            if (!IsCaseIgnorable(r))
            {
                return !Rune.IsLetter(r);
            }
        }

        return true;
    }

    private static bool IsCaseIgnorable(Rune r) =>
        Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
        || r.Value is '\'' or '.' or ':' or 0x2019;

    // Removes nonspacing marks (Mn) in place; returns the new length.
    private static int StripMarks(Span<char> text)
    {
        var n = 0;
        for (var i = 0; i < text.Length;)
        {
            Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed);
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
            {
                text.Slice(i, consumed).CopyTo(text[n..]);
                n += consumed;
            }

            i += consumed;
        }

        return n;
    }

    // Splits on spaces and punctuation and word-pieces each word.
    private void SplitWords(ReadOnlySpan<char> text, Span<int> ids, ref int count, int limit, bool stopAtLimit)
    {
        var wordStart = -1;
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            int consumed;
            bool space, punctuation;
            if (c < 0x80)
            {
                consumed = 1;
                space = c == ' ';
                punctuation = !space && IsAsciiPunctuation(c);
            }
            else
            {
                Rune.DecodeFromUtf16(text[i..], out var rune, out consumed);
                var category = Rune.GetUnicodeCategory(rune);
                space = category is UnicodeCategory.SpaceSeparator;
                punctuation = category is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
                    or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                    or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
            }

            if (space || punctuation)
            {
                if (wordStart >= 0)
                {
                    _wordPiece.Tokenize(text[wordStart..i], ids, ref count, limit);
                    wordStart = -1;
                    if (stopAtLimit && count >= limit)
                    {
                        return;
                    }
                }

                if (punctuation)
                {
                    _wordPiece.Tokenize(text.Slice(i, consumed), ids, ref count, limit);
                    if (stopAtLimit && count >= limit)
                    {
                        return;
                    }
                }
            }
            else if (wordStart < 0)
            {
                wordStart = i;
            }

            i += consumed;
        }

        if (wordStart >= 0)
        {
            _wordPiece.Tokenize(text[wordStart..], ids, ref count, limit);
        }
    }

    private static bool IsAsciiPunctuation(char c) =>
        c is (>= '!' and <= '/') or (>= ':' and <= '@') or (>= '[' and <= '`') or (>= '{' and <= '~');

    private static bool IsCjk(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
