using System.Text;
using System.Text.RegularExpressions;
using MemoryFabric.Guard;

namespace MemoryFabric.Core.Tests.Guard;

// TestimonyCheck.Words scans for words instead of running a regular expression (a ledger build over a long history
// calls it for every turn); it must find exactly what \b\p{L}+\b finds.
public sealed partial class TestimonyWordsTests
{
    // Letters of several scripts and cases, digits, marks (non-spacing and spacing), connectors, zero-width joiners,
    // surrogate pairs, spaces and punctuation.
    private const string Alphabet = "abcXYZéßÆǅʰ漢字кЖαΩ0123٣_‿\u0301\u0903\u200D\u200C \t\n.,'’-!?@#\u00A0😀";

    [Fact]
    public void The_scan_finds_exactly_the_words_of_the_regular_expression_on_random_text()
    {
        var random = new Random(20261206);
        var elements = System.Globalization.StringInfo.GetTextElementEnumerator(Alphabet);
        var pieces = new List<string>();
        while (elements.MoveNext())
        {
            pieces.Add(elements.GetTextElement());
        }

        pieces.AddRange(Alphabet.Select(c => c.ToString())); // lone marks and halves of pairs too
        for (var i = 0; i < 5_000; i++)
        {
            var text = new StringBuilder();
            for (var n = random.Next(0, 40); n > 0; n--)
            {
                text.Append(pieces[random.Next(pieces.Count)]);
            }

            AssertSame(text.ToString());
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("Caroline went to the support group yesterday.")]
    [InlineData("abc123 x2y _under_ score 3rd 2nd-hand e\u0301clair na\u00EFve caf\u00E9")]
    [InlineData("Mel’s sister, Melanie; MELANIE!! mel.")]
    [InlineData("zero\u200Dwidth and non\u200Cjoiner")]
    public void The_scan_finds_exactly_the_words_of_the_regular_expression_on_hard_cases(string text) => AssertSame(text);

    private static void AssertSame(string text)
    {
        var expected = Word().Matches(text).Select(m => (m.Index, m.Value)).ToList();
        var actual = TestimonyCheck.Words(text);
        Assert.True(expected.SequenceEqual(actual), $"\"{text}\": expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
    }

    [GeneratedRegex(@"\b\p{L}+\b")]
    private static partial Regex Word();
}
