using MemoryFabric.Text;

namespace MemoryFabric.Core.Tests.Text;

public sealed class TextAnalyzerTests
{
    [Fact]
    public void Words_are_lower_case_letters_and_digits()
    {
        Assert.Equal(["we", "met", "at", "5", "on", "may", "8", "2023"], TextAnalyzer.Words("We met at 5, on May 8 (2023)!"));
    }

    [Theory]
    [InlineData("Melanie's dog", "melanie|dog")]
    [InlineData("Melanie\u2019s dog", "melanie|dog")]
    [InlineData("MELANIE'S dog", "melanie|dog")]
    [InlineData("the kids' toys", "the|kids|toys")]
    public void Possessive_s_is_dropped(string text, string expected)
    {
        Assert.Equal(expected.Split('|'), TextAnalyzer.Words(text));
    }

    [Fact]
    public void Inner_apostrophes_of_contractions_are_kept()
    {
        Assert.Equal(["don't", "stop", "i'm", "rock'n'roll"], TextAnalyzer.Words("Don't stop, I'm rock'n'roll"));
    }

    [Fact]
    public void Accents_are_stripped()
    {
        Assert.Equal(["cafe", "naive", "resume", "zoe"], TextAnalyzer.Words("Café naïve RÉSUMÉ Zoë"));
    }

    [Fact]
    public void Full_width_forms_are_folded()
    {
        Assert.Equal(["hello", "2023"], TextAnalyzer.Words("\uFF28\uFF45\uFF4C\uFF4C\uFF4F \uFF12\uFF10\uFF12\uFF13"));
    }

    [Fact]
    public void Digits_split_on_punctuation_and_stay_with_letters()
    {
        Assert.Equal(["3", "5", "x2", "mp3"], TextAnalyzer.Words("3.5 x2 mp3"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ?! ... ")]
    public void No_words_in_empty_or_punctuation_only_text(string? text)
    {
        Assert.Empty(TextAnalyzer.Words(text));
        Assert.Empty(TextAnalyzer.Terms(text));
    }

    [Fact]
    public void Terms_drop_stopwords_and_stem()
    {
        Assert.Equal(["melanie", "dog", "run", "park"], TextAnalyzer.Terms("Melanie's dogs are running in the park"));
    }

    [Fact]
    public void Terms_keep_repeats_in_order()
    {
        Assert.Equal(["dog", "cat", "dog"], TextAnalyzer.Terms("dog and cat and dogs"));
    }

    [Fact]
    public void Terms_remove_apostrophes_of_non_stopword_contractions()
    {
        Assert.Equal(["rocknroll"], TextAnalyzer.Terms("rock'n'roll"));
    }

    [Fact]
    public void Content_words_are_unstemmed()
    {
        Assert.Equal(["dogs", "running"], TextAnalyzer.ContentWords("The dogs were running"));
    }
}
