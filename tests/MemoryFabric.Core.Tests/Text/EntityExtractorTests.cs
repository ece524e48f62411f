using MemoryFabric.Text;

namespace MemoryFabric.Core.Tests.Text;

public sealed class EntityExtractorTests
{
    [Fact]
    public void Capitalized_runs_mid_sentence_are_entities()
    {
        Assert.Equal(["New York City", "Eiffel Tower"], EntityExtractor.Extract("We flew from New York City to see the Eiffel Tower."));
    }

    [Fact]
    public void A_capitalized_word_starting_a_sentence_is_not_an_entity()
    {
        Assert.Equal(["Paris"], EntityExtractor.Extract("Yesterday was fun. Paris is lovely. We love Paris."));
    }

    [Fact]
    public void Known_names_count_even_at_a_sentence_start()
    {
        Assert.Equal(["Caroline", "Jon"], EntityExtractor.Extract("Caroline said hi. Then we met Jon.", ["Caroline", "Melanie"]));
    }

    [Fact]
    public void Small_talk_words_and_weekdays_are_not_entities()
    {
        Assert.Empty(EntityExtractor.Extract("Oh wow, I said Thanks on Monday and Okay, Awesome."));
    }

    [Fact]
    public void Years_are_entities_and_possessives_are_trimmed()
    {
        Assert.Equal(["Melanie", "2022"], EntityExtractor.Extract("I met Melanie's family in 2022."));
    }

    [Fact]
    public void Entities_are_distinct_in_order_of_first_mention()
    {
        Assert.Equal(["Boston", "Sweden"], EntityExtractor.Extract("I moved to Boston from Sweden. I love Boston and miss Sweden."));
    }

    [Fact]
    public void Normalize_title_cases_words_and_keeps_short_acronyms()
    {
        Assert.Equal("New York LGBTQ Mcdonald", EntityExtractor.Normalize("  new   york  LGBTQ McDonald "));
        Assert.Equal("LGBTQ Support Group", EntityExtractor.Normalize("LGBTQ support group"));
    }

    [Fact]
    public void Acronyms_mid_sentence_are_entities()
    {
        Assert.Contains("LGBTQ", EntityExtractor.Extract("I went to the LGBTQ support group with Caroline."));
    }

    [Fact]
    public void Punctuation_ends_an_entity()
    {
        Assert.Equal(["Paris", "London", "Rome"], EntityExtractor.Extract("I visited Paris, London and Rome."));
    }
}
