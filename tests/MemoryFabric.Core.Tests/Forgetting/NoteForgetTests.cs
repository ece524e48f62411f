using MemoryFabric.Core.Tests.Persistence;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Forgetting;

/// <summary><see cref="AgentMemory.ForgetNoteAsync"/>: a note purged with (or without) the turns it was drawn from.</summary>
public sealed class NoteForgetTests
{
    private const string Secret = "zanzibarquokka";

    private static async Task<AgentMemory> MemoryAsync()
    {
        var memory = new AgentMemory();
        await memory.IngestAsync(
        [
            Talk.Input("t1", "Ann", $"My bank PIN is {Secret} 4471, keep it to yourself.", Talk.May8),
            Talk.Input("t2", "Ann", "I also adopted a beagle named Oscar last spring.", Talk.May8.AddMinutes(1)),
            Talk.Input("t3", "Ann", $"Reminder: the PIN {Secret} opens the safe too.", Talk.May8.AddMinutes(2)),
        ]);
        return memory;
    }

    private static NoteWrite Note(string text, params string[] sources) => new() { Text = text, Subject = "Ann", SourceTurnIds = sources };

    [Fact]
    public async Task Forgetting_a_note_with_its_sources_removes_every_version_and_the_turns_of_each()
    {
        var memory = await MemoryAsync();
        var v1 = (await memory.AddNoteAsync(Note($"Ann's bank PIN is {Secret}.", "t1"))).Note;
        var v2 = (await memory.UpdateNoteAsync(v1.Id, Note($"Ann's bank PIN {Secret} also opens the safe.", "t1", "t3"))).Note;
        var drawnFromT3 = (await memory.AddNoteAsync(Note("Ann keeps a safe.", "t3"))).Note;
        var beagle = (await memory.AddNoteAsync(Note("Ann adopted a beagle named Oscar.", "t2"))).Note;
        memory.DrainChanges();
        var snapshot = memory.CreateSnapshot();

        var result = await memory.ForgetNoteAsync(v1.LineageId, forgetSources: true);

        Assert.Equal(2, result.Purged);
        Assert.Equal(new[] { v1.Id, v2.Id }.Order(StringComparer.Ordinal), result.PurgedNoteIds.Order(StringComparer.Ordinal));
        var sources = Assert.IsType<Conversation.TurnForgetResult>(result.Sources);
        Assert.Equal(["t1", "t3"], sources.ForgottenTurnIds);
        Assert.Contains(drawnFromT3.Id, sources.PurgedNoteIds);
        Assert.Equal(["t2"], (await memory.GetTurnsAsync()).Select(t => t.Id));
        Assert.Equal([beagle.Id], (await memory.GetNotesAsync(includeInactive: true)).Select(n => n.Id));

        // The change feed replays to the same memory; an unknown note forgets nothing.
        var replayed = new AgentMemory();
        replayed.RestoreSnapshot(snapshot);
        MemoryState.Replay(replayed, [MemoryState.Journal(memory)]);
        Assert.Equal(await MemoryState.RecordsAsync(memory), await MemoryState.RecordsAsync(replayed));
        var hits = await memory.SearchAsync(new SearchRequest { Query = Secret + " PIN safe", Limit = 50 });
        Assert.DoesNotContain(hits, h => h.Item.Text.Contains(Secret, StringComparison.Ordinal));
        Assert.Equal(0, (await memory.ForgetNoteAsync("n_unknown", forgetSources: true)).Purged);
        Assert.Single(await memory.GetTurnsAsync());
    }

    [Fact]
    public async Task Without_forget_sources_the_turns_stay_and_a_stale_version_removes_nothing()
    {
        var memory = await MemoryAsync();
        var v1 = (await memory.AddNoteAsync(Note($"Ann's bank PIN is {Secret}.", "t1"))).Note;
        await memory.UpdateNoteAsync(v1.Id, Note($"Ann's bank PIN {Secret} also opens the safe.", "t1", "t3"));

        var stale = await Assert.ThrowsAsync<NoteConflictException>(() => memory.ForgetNoteAsync(v1.Id, forgetSources: true, expectedVersion: 1));
        Assert.Equal((NoteConflictKind.VersionMismatch, 2), (stale.Kind, stale.CurrentVersion));
        Assert.Equal(3, (await memory.GetTurnsAsync()).Count);
        Assert.Equal(2, (await memory.GetNotesAsync(includeInactive: true)).Count);

        var result = await memory.ForgetNoteAsync(v1.Id, forgetSources: false, expectedVersion: 2);

        Assert.Equal(2, result.Purged);
        Assert.Null(result.Sources);
        Assert.Equal(3, (await memory.GetTurnsAsync()).Count);
        Assert.Empty(await memory.GetNotesAsync(includeInactive: true));
    }
}
