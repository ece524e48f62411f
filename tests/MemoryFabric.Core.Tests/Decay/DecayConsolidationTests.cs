using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Decay;

/// <summary>Decay through <see cref="AgentMemory.ConsolidateAsync"/> and reinforcement through recall, on a fake clock.</summary>
public sealed class DecayConsolidationTests
{
    [Fact]
    public async Task A_note_never_recalled_is_archived_after_enough_time_but_not_deleted()
    {
        var clock = new FakeTimeProvider(Talk.May8.AddHours(1));
        var memory = new AgentMemory(timeProvider: clock);
        await memory.IngestAsync(Talk.SmallSession());
        var first = await memory.ConsolidateAsync();
        var notes = await memory.GetNotesAsync();
        Assert.NotEmpty(notes);
        Assert.Equal(0, first.NotesArchived);

        clock.Advance(TimeSpan.FromDays(30));
        Assert.Equal(0, (await memory.ConsolidateAsync()).NotesArchived);

        clock.Advance(TimeSpan.FromDays(400));
        var report = await memory.ConsolidateAsync();

        Assert.Equal(notes.Count, report.NotesArchived);
        Assert.Empty(await memory.GetNotesAsync());
        var all = await memory.GetNotesAsync(includeInactive: true);
        Assert.Equal(notes.Select(n => n.Id).Order(StringComparer.Ordinal), all.Select(n => n.Id).Order(StringComparer.Ordinal));
        Assert.All(all, n =>
        {
            Assert.Equal(NoteStatus.Archived, n.Status);
            Assert.True(n.Strength < 0.05);
            Assert.Equal(notes.Single(o => o.Id == n.Id).Text, n.Text);
        });
        Assert.DoesNotContain(await memory.SearchAsync(new SearchRequest { Query = "dog beagle Oscar adopted" }), h => h.Item.Kind == MemoryItemKind.Note);
        Assert.Equal(0, (await memory.ConsolidateAsync()).NotesArchived);
    }

    [Fact]
    public async Task A_note_recalled_in_a_context_outlives_its_unrecalled_twin()
    {
        var clock = new FakeTimeProvider(Talk.May8);
        var memory = new AgentMemory(timeProvider: clock);
        var bees = (await memory.AddNoteAsync(new NoteWrite { Text = "Caroline keeps honeybees in her back garden.", Subject = "Caroline" })).Note;
        var typewriters = (await memory.AddNoteAsync(new NoteWrite { Text = "Melanie collects vintage typewriters.", Subject = "Melanie" })).Note;

        // A budget that holds one of the two notes, not both.
        var context = await memory.GetContextAsync(new ContextRequest { Query = "Who keeps honeybees?", TokenBudget = 20, PreferVerbatimWhenItFits = false });

        Assert.Equal([bees.Id], context.Items.Select(i => i.Id));
        Assert.Contains("honeybees", context.Text, StringComparison.Ordinal);
        Assert.Equal(1, (await memory.GetNoteAsync(bees.Id))!.RecallCount);
        Assert.Equal(0, (await memory.GetNoteAsync(typewriters.Id))!.RecallCount);

        // Importance 0.5: the unrecalled note falls below 0.05 after ~195 days, the recalled one after ~389.
        clock.Advance(TimeSpan.FromDays(250));
        var report = await memory.ConsolidateAsync();

        Assert.Equal(1, report.NotesArchived);
        Assert.Equal(NoteStatus.Active, (await memory.GetNoteAsync(bees.Id))!.Status);
        Assert.Equal(NoteStatus.Archived, (await memory.GetNoteAsync(typewriters.Id))!.Status);

        clock.Advance(TimeSpan.FromDays(200));
        Assert.Equal(1, (await memory.ConsolidateAsync()).NotesArchived);
        Assert.Equal(NoteStatus.Archived, (await memory.GetNoteAsync(bees.Id))!.Status);
    }

    [Fact]
    public async Task Recall_is_not_reinforced_when_disabled()
    {
        var clock = new FakeTimeProvider(Talk.May8);
        var memory = new AgentMemory(new AgentMemoryOptions { ReinforceOnRecall = false }, clock);
        var bees = (await memory.AddNoteAsync(new NoteWrite { Text = "Caroline keeps honeybees in her back garden.", Subject = "Caroline" })).Note;

        var context = await memory.GetContextAsync(new ContextRequest { Query = "Who keeps honeybees?", TokenBudget = 100, PreferVerbatimWhenItFits = false });

        Assert.Contains(context.Items, i => i.Id == bees.Id);
        Assert.Equal(0, (await memory.GetNoteAsync(bees.Id))!.RecallCount);
    }

    [Fact]
    public async Task More_important_notes_decay_more_slowly()
    {
        var clock = new FakeTimeProvider(Talk.May8);
        var memory = new AgentMemory(timeProvider: clock);
        var minor = (await memory.AddNoteAsync(new NoteWrite { Text = "Melanie had toast for breakfast.", Subject = "Melanie", Importance = 0 })).Note;
        var major = (await memory.AddNoteAsync(new NoteWrite { Text = "Melanie is allergic to penicillin.", Subject = "Melanie", Importance = 1 })).Note;

        clock.Advance(TimeSpan.FromDays(200)); // half-lives 30 and 60 days: strengths ~0.01 and ~0.10
        await memory.ConsolidateAsync();

        Assert.Equal(NoteStatus.Archived, (await memory.GetNoteAsync(minor.Id))!.Status);
        Assert.Equal(NoteStatus.Active, (await memory.GetNoteAsync(major.Id))!.Status);
    }
}
