using MemoryFabric.Extraction;
using MemoryFabric.Notes;

namespace MemoryFabric.Core.Tests.Extraction;

public sealed class NoteClassifierTests
{
    [Theory]
    [InlineData("I moved to New York last year.", NoteKind.Profile, "home", "New York")]
    [InlineData("I live in Boston.", NoteKind.Profile, "home", "Boston")]
    [InlineData("I work as a graphic designer.", NoteKind.Profile, "job", "graphic designer")]
    [InlineData("I'm a school counselor.", NoteKind.Profile, "job", "school counselor")]
    [InlineData("I'm 34 years old.", NoteKind.Profile, "age", "34")]
    [InlineData("My favourite color is deep blue, honestly.", NoteKind.Preference, "favorite color", "deep blue")]
    [InlineData("I'm married now.", NoteKind.Relationship, "relationship status", "married")]
    public void Stable_attributes_are_recognized(string sentence, NoteKind kind, string attribute, string value)
    {
        Assert.Equal(new NoteClassification(kind, attribute, value), NoteClassifier.Classify(sentence));
    }

    [Theory]
    [InlineData("I'm going to run a marathon.", NoteKind.Plan)]
    [InlineData("I love painting sunsets.", NoteKind.Preference)]
    [InlineData("I went to a concert.", NoteKind.Event)]
    [InlineData("My sister is visiting.", NoteKind.Relationship)]
    [InlineData("The sky is blue.", NoteKind.Fact)]
    public void Kinds_without_attributes(string sentence, NoteKind kind)
    {
        Assert.Equal(new NoteClassification(kind, null, null), NoteClassifier.Classify(sentence));
    }

    [Fact]
    public void Resolved_dates_decide_between_plan_and_event()
    {
        Assert.Equal(NoteKind.Plan, NoteClassifier.Classify("The trip is on that day.", hasFutureDate: true).Kind);
        Assert.Equal(NoteKind.Event, NoteClassifier.Classify("The trip is on that day.", hasPastDate: true).Kind);
    }
}
