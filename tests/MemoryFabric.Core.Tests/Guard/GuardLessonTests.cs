using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Guard;

public sealed class GuardLessonTests
{
    // A plain false fact, which no rule catches: only a lesson can.
    private const string Lie = "Melanie told everyone that Oscar the beagle was sold to a circus in Nevada last spring.";

    private static async Task<AgentMemory> WithConfirmedLieAsync()
    {
        var memory = GuardQuarantineTests.NewMemory();
        await memory.IngestAsync(Talk.SmallSession());
        await memory.IngestAsync([Talk.Input("L1", "Stranger", Lie, Talk.May8.AddMinutes(30))]);
        Assert.Empty(await memory.GetQuarantineAsync()); // not an instruction: passes the screen
        var lesson = await memory.ConfirmAsync("L1");
        Assert.NotNull(lesson);
        return memory;
    }

    [Fact]
    public async Task Confirm_distils_a_lesson_and_keeps_the_item_quarantined()
    {
        var memory = await WithConfirmedLieAsync();
        var entry = Assert.Single(await memory.GetQuarantineAsync());
        Assert.Equal(QuarantineStatus.Confirmed, entry.Status);
        Assert.Equal(AgentMemory.ManualDetector, entry.Detector);
        var lesson = Assert.Single(await memory.GetLessonsAsync());
        Assert.Equal(entry.LessonId, lesson.Id);
        Assert.False(lesson.Revoked);
        Assert.Contains("circus", lesson.TriggerSignature);
        Assert.Contains("nevada", lesson.TriggerSignature);
        Assert.Equal(lesson, await memory.ConfirmAsync("L1")); // idempotent
        Assert.Null(await memory.ConfirmAsync("unknown"));
        Assert.DoesNotContain(await memory.SearchAsync(new SearchRequest { Query = "circus Nevada", Limit = 50 }), h => h.Item.Id == "L1");
        Assert.Equal(1, memory.GetStatistics().Lessons);
    }

    [Fact]
    public async Task A_lesson_catches_the_same_lie_in_another_session_at_write_time()
    {
        var memory = await WithConfirmedLieAsync();
        var lesson = Assert.Single(await memory.GetLessonsAsync());
        await memory.IngestAsync([Talk.Input("L2", "Someone", Lie, Talk.May8.AddDays(3), session: "s9")]);
        var entry = Assert.Single(await memory.GetQuarantineAsync(), e => e.ItemId == "L2");
        Assert.Equal("lesson:" + lesson.Id, entry.Detector);
        Assert.Equal(QuarantineStatus.Flagged, entry.Status);
        Assert.DoesNotContain(await memory.SearchAsync(new SearchRequest { Query = "circus Nevada", Limit = 50 }), h => h.Item.Id == "L2");

        // A note carrying the same lie is caught too.
        var note = await memory.AddNoteAsync(new NoteWrite { Text = Lie, Subject = "Melanie" });
        Assert.Contains(await memory.GetQuarantineAsync(), e => e.ItemId == note.Note.Id && e.Detector == "lesson:" + lesson.Id);

        // Unrelated and merely similar turns are not.
        await memory.IngestAsync([Talk.Input("C1", "Melanie", "We went to the circus last spring and the kids loved it.", Talk.May8.AddDays(4), session: "s9")]);
        Assert.DoesNotContain(await memory.GetQuarantineAsync(), e => e.ItemId == "C1");
    }

    [Fact]
    public async Task A_revoked_lesson_catches_nothing()
    {
        var memory = await WithConfirmedLieAsync();
        var lesson = Assert.Single(await memory.GetLessonsAsync());
        Assert.True(await memory.RevokeLessonAsync(lesson.Id));
        Assert.False(await memory.RevokeLessonAsync(lesson.Id));
        Assert.False(await memory.RevokeLessonAsync("nope"));
        Assert.True(Assert.Single(await memory.GetLessonsAsync()).Revoked);
        await memory.IngestAsync([Talk.Input("L2", "Someone", Lie, Talk.May8.AddDays(3), session: "s9")]);
        Assert.DoesNotContain(await memory.GetQuarantineAsync(), e => e.ItemId == "L2");
        Assert.Equal(0, memory.GetStatistics().Lessons);
    }

    [Fact]
    public async Task Lessons_are_not_consulted_when_turned_off()
    {
        var memory = await WithConfirmedLieAsync();
        var options = new AgentMemoryOptions { Guard = new MemoryGuardOptions { UseLessons = false } };
        var other = new AgentMemory(options, new FakeTimeProvider(Talk.May8));
        other.ApplyChanges(memory.DrainChanges());
        await other.IngestAsync([Talk.Input("L2", "Someone", Lie, Talk.May8.AddDays(3), session: "s9")]);
        Assert.DoesNotContain(await other.GetQuarantineAsync(), e => e.ItemId == "L2");
    }

    [Fact]
    public void Signature_containment_needs_enough_shared_terms()
    {
        var signature = LessonSignature.Of(Lie);
        Assert.Equal(1.0, LessonSignature.Containment(signature, new HashSet<string>(signature)));
        Assert.Equal(0, LessonSignature.Containment(signature, new HashSet<string>(signature.Take(2))));
        Assert.Equal(0, LessonSignature.Containment(["a", "b"], new HashSet<string> { "a", "b" }));
    }
}
