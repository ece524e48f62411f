using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Extraction;
using MemoryFabric.Notes;

namespace MemoryFabric.Core.Tests.Extraction;

public sealed class RuleBasedNoteExtractorTests
{
    private static readonly string[] Both = ["Melanie", "Caroline"];

    private static async Task<IReadOnlyList<NoteWrite>> Extract(params Turn[] turns) =>
        await new RuleBasedNoteExtractor().ExtractAsync(Talk.Context(turns, Both));

    private static Turn Said(string id, string speaker, string text, int minute = 0) => Talk.Turn(id, speaker, text, Talk.May8.AddMinutes(minute), minute);

    [Fact]
    public async Task A_first_person_event_is_attributed_dated_and_sourced()
    {
        var notes = await Extract(Said("D1:3", "Melanie", "I adopted a dog yesterday."));

        var note = Assert.Single(notes);
        Assert.Contains("Melanie adopted a dog", note.Text, StringComparison.Ordinal);
        Assert.Contains("7 May 2023", note.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("yesterday", note.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Melanie", note.Subject);
        Assert.Equal(["D1:3"], note.SourceTurnIds);
        Assert.Equal(NoteKind.Event, note.Kind);
        Assert.Equal(new DateOnly(2023, 5, 7), DateOnly.FromDateTime(note.EventTime!.Value.DateTime));
        Assert.Equal(Talk.May8, note.ValidFrom);
        Assert.Contains("Melanie", note.Entities);
    }

    [Fact]
    public async Task You_resolves_to_the_other_participant()
    {
        var notes = await Extract(Said("a", "Melanie", "I'm proud of you for finishing the Boston marathon."));

        var note = Assert.Single(notes);
        Assert.Contains("Melanie is proud of Caroline", note.Text, StringComparison.Ordinal);
        Assert.Contains("Boston", note.Entities);
    }

    [Fact]
    public async Task You_is_left_alone_when_the_addressee_is_ambiguous()
    {
        var turns = new[] { Said("a", "Melanie", "I'm proud of you for finishing the Boston marathon.") };

        var notes = await new RuleBasedNoteExtractor().ExtractAsync(Talk.Context(turns, "Melanie", "Caroline", "Jon"));

        Assert.Contains("Melanie is proud of you", Assert.Single(notes).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Wow, that's cool!")]
    [InlineData("Thanks so much, I really appreciate it!")]
    [InlineData("What did you paint at the pottery class last week?")]
    [InlineData("Haha yeah, totally agree!")]
    public async Task Questions_and_small_talk_produce_no_note(string text)
    {
        Assert.Empty(await Extract(Said("a", "Caroline", text)));
    }

    [Fact]
    public async Task An_image_caption_becomes_a_shared_photo_note()
    {
        var notes = await Extract(Said("img", "Caroline", "[image: a photo of a red kite] Look at this!"));

        var note = Assert.Single(notes);
        Assert.Equal("Caroline shared a photo of a red kite.", note.Text);
        Assert.Equal(NoteKind.Event, note.Kind);
        Assert.Equal(["img"], note.SourceTurnIds);
        Assert.Equal("Caroline", note.Subject);
    }

    [Fact]
    public async Task Moving_sets_the_home_profile_attribute()
    {
        var note = Assert.Single(await Extract(Said("b", "Caroline", "I moved to Boston last month.")));

        Assert.Equal(NoteKind.Profile, note.Kind);
        Assert.Equal("home", note.Attribute);
        Assert.Equal("Boston", note.Value);
        Assert.Contains("Caroline moved to Boston", note.Text, StringComparison.Ordinal);
        Assert.Contains("April 2023", note.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("I live in Seattle.", "home", "Seattle")]
    [InlineData("I'm a nurse.", "job", "nurse")]
    [InlineData("I'm married.", "relationship status", "married")]
    public async Task Short_attribute_statements_are_not_small_talk(string text, string attribute, string value)
    {
        var note = Assert.Single(await Extract(Said("s", "Caroline", text)));

        Assert.Equal((attribute, value), (note.Attribute, note.Value));
    }

    [Fact]
    public async Task A_favourite_is_a_preference_with_attribute_and_value()
    {
        var note = Assert.Single(await Extract(Said("f", "Melanie", "My favorite book is Dune.")));

        Assert.Equal(NoteKind.Preference, note.Kind);
        Assert.Equal("favorite book", note.Attribute);
        Assert.Equal("Dune", note.Value);
        Assert.Equal("Melanie's favorite book is Dune.", note.Text);
    }

    [Fact]
    public async Task An_intention_is_a_plan_dated_in_the_future()
    {
        var note = Assert.Single(await Extract(Said("p", "Caroline", "I'm planning to go camping next month.")));

        Assert.Equal(NoteKind.Plan, note.Kind);
        Assert.Contains("Caroline is planning to go camping", note.Text, StringComparison.Ordinal);
        Assert.Contains("June 2023", note.Text, StringComparison.Ordinal);
        Assert.True(note.EventTime > Talk.May8);
    }

    [Fact]
    public async Task A_short_answer_carries_its_question()
    {
        var notes = await Extract(
            Said("q", "Melanie", "Where did you go on vacation?"),
            Said("a", "Caroline", "Paris, France.", 1));

        var note = Assert.Single(notes);
        Assert.Equal(["q", "a"], note.SourceTurnIds);
        Assert.Contains("Paris", note.Text, StringComparison.Ordinal);
        Assert.Contains("Where did you go on vacation?", note.Text, StringComparison.Ordinal);
        Assert.Equal("Caroline", note.Subject);
    }

    [Fact]
    public async Task A_full_statement_after_a_question_rests_on_its_own_turn()
    {
        var notes = await Extract(
            Said("q", "Melanie", "Where did you go on vacation?"),
            Said("a", "Caroline", "I went hiking in the Swiss Alps with my brother.", 1));

        Assert.Equal(["a"], Assert.Single(notes).SourceTurnIds);
    }

    [Fact]
    public async Task Each_sentence_gets_its_own_note_and_repeats_are_dropped()
    {
        var notes = await Extract(
            Said("a", "Melanie", "I painted a lake sunrise last year. Wow! I signed up for a pottery class downtown."),
            Said("b", "Melanie", "I signed up for a pottery class downtown.", 1));

        Assert.Equal(2, notes.Count);
        Assert.Contains("2022", notes[0].Text, StringComparison.Ordinal);
        Assert.Contains("Melanie signed up for a pottery class", notes[1].Text, StringComparison.Ordinal);
        Assert.All(notes, n => Assert.Equal(["a"], n.SourceTurnIds));
    }

    [Fact]
    public async Task Every_note_rests_only_on_turns_of_the_episode()
    {
        var turns = Talk.SmallSession().Select((t, i) => Talk.Turn(t.Id!, t.Speaker, t.Text, t.Timestamp, i)).ToArray();

        var notes = await Extract(turns);

        Assert.NotEmpty(notes);
        var ids = turns.Select(t => t.Id).ToHashSet();
        Assert.All(notes, n =>
        {
            Assert.NotEmpty(n.SourceTurnIds);
            Assert.All(n.SourceTurnIds, id => Assert.Contains(id, ids));
            Assert.False(string.IsNullOrWhiteSpace(n.Subject));
            Assert.InRange(n.Importance, 0, 1);
        });
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new RuleBasedNoteExtractor().ExtractAsync(Talk.Context([Said("a", "Melanie", "I adopted a dog yesterday.")], Both), cts.Token));
    }
}
