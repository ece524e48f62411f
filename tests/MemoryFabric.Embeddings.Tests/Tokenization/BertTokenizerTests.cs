using MemoryFabric.Embeddings.Tests.Support;
using MemoryFabric.Embeddings.Tokenization;

namespace MemoryFabric.Embeddings.Tests.Tokenization;

/// <summary>
/// The tokenizer against the reference (transformers.js with the model's own tokenizer.json): the expected ids
/// below were produced by it. Clean-up, CJK, accents, casing, punctuation, WordPiece and truncation.
/// </summary>
public sealed class BertTokenizerTests : IClassFixture<ModelFixture>
{
    private readonly BertTokenizer _tokenizer;

    public BertTokenizerTests(ModelFixture fixture) =>
        _tokenizer = BertTokenizer.Load(Path.Combine(fixture.Directory, MiniLmModel.VocabFileName));

    public static TheoryData<string, int[]> Reference => new()
    {
        { "", [101, 102] },
        { "   ", [101, 102] },
        { "The quick brown fox jumps over the lazy dog.", [101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102] },
        // accents stripped, CJK split per ideograph, emoji and full-width letters unknown
        { "Héllo, wörld! 日本語 😀 ＡＢＣ", [101, 7592, 1010, 2088, 999, 1864, 1876, 1950, 100, 100, 102] },
        { "naïve café résumé Ångström ÉCOLE", [101, 15743, 7668, 13746, 17076, 15687, 12431, 102] },
        // İ → i, final sigma, ß kept
        { "İstanbul ΣΊΣΥΦΟΣ straße", [101, 9960, 1173, 18199, 29733, 29735, 29736, 15297, 2358, 27807, 102] },
        { "Σσς ΣΑΣ", [101, 1173, 29733, 19579, 1173, 14608, 19579, 102] },
        { "Ελληνικά Привет мир", [101, 1159, 29727, 29727, 24824, 16177, 18199, 29726, 14608, 1194, 16856, 10325, 25529, 15290, 22919, 1191, 10325, 16856, 102] },
        // special tokens written in the text are kept (case-sensitive)
        { "hello [MASK] world [CLS][SEP] [mask]", [101, 7592, 103, 2088, 101, 102, 1031, 7308, 1033, 102] },
        // controls, NUL and U+FFFD are dropped (joining the letters); tab, newline and CR are spaces
        { "a\u0000b\uFFFDc\u0001d\u007Fe\u0085f", [101, 5925, 3207, 2546, 102] },
        { "a\tb\nc\rd\u000Be\u000Cf", [101, 1037, 1038, 1039, 13366, 102] },
        // zero-width and soft-hyphen format characters are dropped; an unknown piece makes the whole word [UNK]
        { "zero\u200Bwidth\u200Cjoiner👩\u200D👩\u200D👧 soft\u00ADhyphen", [101, 100, 3730, 10536, 8458, 2368, 102] },
        // ASCII symbols are punctuation
        { "price: $100.00 (approx.) <tag> a+b=c ~x^y | back`tick", [101, 3976, 1024, 1002, 2531, 1012, 4002, 1006, 22480, 1012, 1007, 1026, 6415, 1028, 1037, 1009, 1038, 1027, 1039, 1066, 1060, 1034, 1061, 1064, 2067, 1036, 16356, 102] },
        { "don't stop—believing… “quoted” «guillemets» ¿qué? ¡sí!", [101, 2123, 1005, 1056, 2644, 1517, 8929, 1529, 1523, 9339, 1524, 1077, 26458, 6216, 11368, 2015, 1090, 1094, 10861, 1029, 1067, 9033, 999, 102] },
        { "email@example.com https://example.org/path?q=1&r=2#frag", [101, 10373, 1030, 2742, 1012, 4012, 16770, 1024, 1013, 1013, 2742, 1012, 8917, 1013, 4130, 1029, 1053, 1027, 1015, 1004, 1054, 1027, 1016, 1001, 25312, 2290, 102] },
        // Hangul decomposes to jamo under NFD; Thai is unknown
        { "한국어 텍스트 and ไทย", [101, 1469, 30006, 30021, 29991, 30014, 30020, 29999, 30008, 1467, 30009, 30020, 29997, 30017, 30003, 30017, 1998, 100, 102] },
        // full-width forms are not folded (NFD, not NFKD); full-width "！" is punctuation
        { "Ｈｅｌｌｏ　ｗｏｒｌｄ！ １２３", [101, 100, 100, 1986, 100, 102] },
        { "€50 © ® ™ ° ½ ² µ", [101, 1574, 12376, 1075, 1079, 1580, 1080, 1092, 1082, 1085, 102] },
        { "ﬁnance Ⅰ ①", [101, 1984, 7229, 3401, 100, 100, 102] },
        { "supercalifragilisticexpialidocious antidisestablishmentarianism", [101, 3565, 9289, 10128, 29181, 24411, 4588, 10288, 19312, 21273, 10085, 6313, 3424, 10521, 4355, 7875, 13602, 3672, 12199, 2964, 102] },
    };

    [Theory]
    [MemberData(nameof(Reference))]
    public void Ids_match_the_reference_tokenizer(string text, int[] expected)
    {
        Assert.Equal(expected, _tokenizer.Encode(text, 512));
        Assert.Equal(expected.Length, _tokenizer.CountTokens(text));
    }

    [Fact]
    public void A_word_of_100_characters_is_split_and_one_of_101_is_unknown()
    {
        int[] hundred = [101, 13360, .. Enumerable.Repeat(11057, 48), 2050, 102];   // aaa ##aa×48 ##a
        Assert.Equal(hundred, _tokenizer.Encode(new string('a', 100), 512));
        Assert.Equal([101, 100, 102], _tokenizer.Encode(new string('a', 101), 512));
        Assert.Equal([101, 100, 2203, 102], _tokenizer.Encode(new string('x', 120) + " end", 512));
    }

    [Fact]
    public void Truncation_keeps_cls_the_first_pieces_and_sep()
    {
        var text = string.Join(" ", Enumerable.Repeat("The quick brown fox jumps over the lazy dog.", 40));
        var full = _tokenizer.Encode(text, 512);
        Assert.Equal(40 * 10 + 2, full.Length);
        Assert.Equal(full.Length, _tokenizer.CountTokens(text));

        var truncated = _tokenizer.Encode(text, 16);
        Assert.Equal(16, truncated.Length);
        Assert.Equal(full[..15], truncated[..15]);
        Assert.Equal(102, truncated[^1]);

        Assert.Equal([101, 102], _tokenizer.Encode(text, 2));
        Assert.Equal([101, 1996, 102], _tokenizer.Encode(text, 3));
    }

    [Fact]
    public void Truncation_inside_a_word_keeps_its_first_pieces()
    {
        // antidisestablishmentarianism = anti ##dis ##est ##ab ##lish ##ment ##arian ##ism
        var ids = _tokenizer.Encode("antidisestablishmentarianism", 5);
        Assert.Equal([101, 3424, 10521, 4355, 102], ids);
    }

    [Fact]
    public void The_vocabulary_has_the_special_tokens()
    {
        var vocabulary = _tokenizer.Vocabulary;
        Assert.Equal(30522, vocabulary.Count);
        Assert.Equal((0, 100, 101, 102, 103), (vocabulary.PaddingId, vocabulary.UnknownId, vocabulary.ClassifierId, vocabulary.SeparatorId, vocabulary.MaskId));
        Assert.True(vocabulary.TryGetContinuation("ing", out var ing));
        Assert.Equal("##ing", vocabulary[ing]);
        Assert.False(vocabulary.TryGetInitial("##ing", out _));
    }

    [Fact]
    public void A_vocabulary_without_special_tokens_is_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => WordPieceVocabulary.FromTokens(["[PAD]", "hello"]));
        Assert.Contains("[UNK]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Concurrent_encoding_gives_the_same_ids()
    {
        var texts = Reference.Select(row => (string)row[0]).ToArray();
        var expected = texts.Select(t => _tokenizer.Encode(t, 512)).ToArray();
        Parallel.For(0, 400, i => Assert.Equal(expected[i % texts.Length], _tokenizer.Encode(texts[i % texts.Length], 512)));
    }
}
