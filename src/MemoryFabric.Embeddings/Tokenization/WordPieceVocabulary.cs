namespace MemoryFabric.Embeddings.Tokenization;

/// <summary>
/// A WordPiece vocabulary (<c>vocab.txt</c>: one token per line, the id is the line number). Word-initial
/// pieces and <c>##</c> continuation pieces are kept in two dictionaries keyed without the prefix, so a
/// lookup is a span probe with no string allocation.
/// </summary>
internal sealed class WordPieceVocabulary
{
    /// <summary>The prefix that marks a piece continuing a word.</summary>
    public const string ContinuationPrefix = "##";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _initial;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuation;

    private WordPieceVocabulary(string[] tokens)
    {
        _tokens = tokens;
        var initial = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        var continuation = new Dictionary<string, int>(tokens.Length / 4, StringComparer.Ordinal);
        for (var id = 0; id < tokens.Length; id++)
        {
            var token = tokens[id];
            if (token.Length > ContinuationPrefix.Length && token.StartsWith(ContinuationPrefix, StringComparison.Ordinal))
            {
                continuation[token[ContinuationPrefix.Length..]] = id;
            }
            else if (token.Length > 0)
            {
                initial[token] = id;
            }
        }

        _initial = initial.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuation = continuation.GetAlternateLookup<ReadOnlySpan<char>>();
        UnknownId = Require("[UNK]");
        ClassifierId = Require("[CLS]");
        SeparatorId = Require("[SEP]");
        PaddingId = Require("[PAD]");
        MaskId = initial.GetValueOrDefault("[MASK]", -1);
    }

    /// <summary>The number of tokens.</summary>
    public int Count => _tokens.Length;

    /// <summary>The id of <c>[UNK]</c>.</summary>
    public int UnknownId { get; }

    /// <summary>The id of <c>[CLS]</c>.</summary>
    public int ClassifierId { get; }

    /// <summary>The id of <c>[SEP]</c>.</summary>
    public int SeparatorId { get; }

    /// <summary>The id of <c>[PAD]</c>.</summary>
    public int PaddingId { get; }

    /// <summary>The id of <c>[MASK]</c>, or -1 when the vocabulary has none.</summary>
    public int MaskId { get; }

    /// <summary>The token text of <paramref name="id"/>.</summary>
    public string this[int id] => _tokens[id];

    /// <summary>Loads a vocabulary file.</summary>
    /// <param name="path">The <c>vocab.txt</c> file.</param>
    /// <exception cref="InvalidDataException">The file lacks the special tokens.</exception>
    public static WordPieceVocabulary Load(string path)
    {
        var lines = File.ReadAllLines(path);
        try
        {
            return FromTokens(lines);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"'{path}' is not a valid WordPiece vocabulary: {ex.Message}", ex);
        }
    }

    /// <summary>Builds a vocabulary from its tokens in id order.</summary>
    /// <param name="tokens">The tokens; trailing whitespace is trimmed.</param>
    public static WordPieceVocabulary FromTokens(IEnumerable<string> tokens) =>
        new([.. tokens.Select(t => t.TrimEnd())]);

    /// <summary>Looks up a word-initial piece.</summary>
    public bool TryGetInitial(ReadOnlySpan<char> piece, out int id) => _initial.TryGetValue(piece, out id);

    /// <summary>Looks up a continuation piece, given without its <c>##</c> prefix.</summary>
    public bool TryGetContinuation(ReadOnlySpan<char> piece, out int id) => _continuation.TryGetValue(piece, out id);

    private int Require(string token) =>
        _initial.TryGetValue(token, out var id) ? id : throw new InvalidDataException($"the vocabulary has no {token} token");
}
