using MemoryFabric.Text;

namespace MemoryFabric.Core.Tests.Text;

public sealed class SentenceSplitterTests
{
    [Fact]
    public void Splits_on_terminal_punctuation_and_keeps_it()
    {
        Assert.Equal(["I adopted a dog.", "Isn't that great?", "Yes!"], SentenceSplitter.Split("I adopted a dog. Isn't that great? Yes!"));
    }

    [Fact]
    public void Abbreviations_do_not_end_a_sentence()
    {
        Assert.Equal(["Dr. Smith and Mrs. Jones met on Jan. 5 at St. Mary's.", "Then they left."],
            SentenceSplitter.Split("Dr. Smith and Mrs. Jones met on Jan. 5 at St. Mary's. Then they left."));
    }

    [Fact]
    public void Initials_do_not_end_a_sentence()
    {
        Assert.Equal(["J. R. R. Tolkien wrote it."], SentenceSplitter.Split("J. R. R. Tolkien wrote it."));
    }

    [Fact]
    public void Decimals_and_prices_do_not_end_a_sentence()
    {
        Assert.Equal(["It weighs 3.5 kg and cost $12.99.", "Cheap."], SentenceSplitter.Split("It weighs 3.5 kg and cost $12.99. Cheap."));
    }

    [Fact]
    public void Runs_of_punctuation_stay_with_their_sentence()
    {
        Assert.Equal(["Wait...", "what?!", "Really."], SentenceSplitter.Split("Wait... what?! Really."));
    }

    [Fact]
    public void Closing_quotes_stay_with_their_sentence()
    {
        Assert.Equal(["She said \"go.\"", "So I went."], SentenceSplitter.Split("She said \"go.\" So I went."));
    }

    [Fact]
    public void Line_breaks_end_sentences_and_blank_lines_vanish()
    {
        Assert.Equal(["line one", "line two", "three.", "four"], SentenceSplitter.Split("line one\r\nline two\n\n  three. four"));
    }

    [Fact]
    public void Period_without_following_space_does_not_split()
    {
        Assert.Equal(["Visit example.com today."], SentenceSplitter.Split("Visit example.com today."));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \n \t ")]
    public void Blank_text_has_no_sentences(string? text)
    {
        Assert.Empty(SentenceSplitter.Split(text));
    }
}
