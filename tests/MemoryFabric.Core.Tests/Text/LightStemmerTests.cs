using MemoryFabric.Text;

namespace MemoryFabric.Core.Tests.Text;

public sealed class LightStemmerTests
{
    [Theory]
    [InlineData("dogs", "dog")]
    [InlineData("painting", "paint")]
    [InlineData("painted", "paint")]
    [InlineData("running", "run")]
    [InlineData("hopped", "hop")]
    [InlineData("studies", "study")]
    [InlineData("classes", "class")]
    [InlineData("filled", "fill")]
    [InlineData("buzzing", "buzz")]
    [InlineData("rated", "rate")]
    [InlineData("agreed", "agree")]
    public void Strips_plural_and_verb_suffixes(string word, string stem)
    {
        Assert.Equal(stem, LightStemmer.Stem(word));
    }

    [Theory]
    [InlineData("us")]
    [InlineData("is")]
    [InlineData("bus")]
    [InlineData("campus")]
    [InlineData("analysis")]
    [InlineData("class")]
    [InlineData("sing")]
    [InlineData("red")]
    [InlineData("feed")]
    [InlineData("2023s")]
    public void Leaves_words_that_only_look_inflected(string word)
    {
        Assert.Equal(word, LightStemmer.Stem(word));
    }

    [Fact]
    public void Plural_and_singular_meet()
    {
        Assert.Equal(LightStemmer.Stem("puppies"), LightStemmer.Stem("puppy"));
        Assert.Equal(LightStemmer.Stem("paintings"), LightStemmer.Stem("paint"));
    }

    [Fact]
    public void Inflections_of_words_ending_in_e_meet_their_base_form()
    {
        Assert.Equal(LightStemmer.Stem("hike"), LightStemmer.Stem("hiking"));
        Assert.Equal(LightStemmer.Stem("hikes"), LightStemmer.Stem("hiked"));
        Assert.Equal(LightStemmer.Stem("love"), LightStemmer.Stem("loved"));
        Assert.NotEqual(LightStemmer.Stem("car"), LightStemmer.Stem("caring"));
    }
}
