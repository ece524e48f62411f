using MemoryFabric.Extraction;

namespace MemoryFabric.Core.Tests.Extraction;

public sealed class PersonResolverTests
{
    [Theory]
    [InlineData("I love pottery.", "Melanie loves pottery.")]
    [InlineData("I really like hiking.", "Melanie really likes hiking.")]
    [InlineData("I go there often.", "Melanie goes there often.")]
    [InlineData("I have two kids.", "Melanie has two kids.")]
    [InlineData("I study art and I watch films.", "Melanie studies art and Melanie watches films.")]
    [InlineData("I miss the beach.", "Melanie misses the beach.")]
    [InlineData("I adopted a dog.", "Melanie adopted a dog.")]
    [InlineData("I can't wait.", "Melanie can't wait.")]
    public void First_person_subject_becomes_the_speaker_with_verb_agreement(string sentence, string expected)
    {
        Assert.Equal(expected, PersonResolver.Resolve(sentence, "Melanie", "Caroline"));
    }

    [Theory]
    [InlineData("I'm proud of you", "Melanie is proud of Caroline")]
    [InlineData("I am tired.", "Melanie is tired.")]
    [InlineData("I was there.", "Melanie was there.")]
    [InlineData("I've been there.", "Melanie has been there.")]
    [InlineData("I\u2019ve been there.", "Melanie has been there.")]
    [InlineData("I'd love to.", "Melanie would love to.")]
    [InlineData("I'll call you.", "Melanie will call Caroline.")]
    [InlineData("My dog likes me.", "Melanie's dog likes Melanie.")]
    [InlineData("You're right and your dog is cute.", "Caroline is right and Caroline's dog is cute.")]
    [InlineData("You've done it!", "Caroline has done it!")]
    public void Contractions_pronouns_and_possessives_are_resolved(string sentence, string expected)
    {
        Assert.Equal(expected, PersonResolver.Resolve(sentence, "Melanie", "Caroline"));
    }

    [Fact]
    public void Second_person_is_kept_without_an_addressee()
    {
        Assert.Equal("Melanie is proud of you", PersonResolver.Resolve("I'm proud of you", "Melanie", null));
    }

    [Fact]
    public void Words_containing_I_are_not_touched()
    {
        Assert.Equal("Melanie visited Italy and Iceland.", PersonResolver.Resolve("I visited Italy and Iceland.", "Melanie", null));
    }

    [Fact]
    public void IsFirstPerson_detects_first_person_singular()
    {
        Assert.True(PersonResolver.IsFirstPerson("My dog is cute"));
        Assert.True(PersonResolver.IsFirstPerson("That's so me"));
        Assert.False(PersonResolver.IsFirstPerson("We love Italy"));
    }

    [Fact]
    public void Every_I_in_a_sentence_is_resolved()
    {
        Assert.Equal("Melanie thinks Melanie loves it.", PersonResolver.Resolve("I think I love it.", "Melanie", null));
    }
}
