using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Decay;

/// <summary>Recall reinforcement, the only state a context read changes, drains as one small journaled change
/// instead of needing a snapshot.</summary>
public sealed class RecallJournalTests
{
    private static async Task<(AgentMemory Memory, FakeTimeProvider Clock, Note Bees, byte[] Snapshot)> SetUpAsync()
    {
        var clock = new FakeTimeProvider(Talk.May8);
        var memory = new AgentMemory(timeProvider: clock);
        var bees = (await memory.AddNoteAsync(new NoteWrite { Text = "Caroline keeps honeybees in her back garden.", Subject = "Caroline" })).Note;
        await memory.AddNoteAsync(new NoteWrite { Text = "Melanie collects vintage typewriters.", Subject = "Melanie" });
        memory.DrainChanges();
        return (memory, clock, bees, memory.CreateSnapshot());
    }

    [Fact]
    public async Task Searches_change_nothing_and_contexts_drain_only_the_recall_state_of_the_recalled_notes()
    {
        var (memory, clock, bees, _) = await SetUpAsync();

        await memory.SearchAsync(new SearchRequest { Query = "honeybees" });
        Assert.Equal(0, memory.PendingRecallCount);
        Assert.Null(memory.DrainRecalls());

        clock.UtcNow = Talk.May8.AddDays(3);
        for (var i = 0; i < 3; i++)
        {
            await memory.GetContextAsync(new ContextRequest { Query = "Who keeps honeybees?", TokenBudget = 20, PreferVerbatimWhenItFits = false });
        }

        Assert.Empty(memory.DrainChanges()); // a read is not a write
        Assert.Equal(1, memory.PendingRecallCount);
        var recalled = memory.DrainRecalls();
        var recall = Assert.Single(recalled!.Notes);
        Assert.Equal(new NoteRecall(bees.Id, 3, Talk.May8.AddDays(3), 1.0), recall);
        Assert.Equal(0, memory.PendingRecallCount);
        Assert.True(MemoryChangeCodec.Encode([recalled]).Length < 64, "one recalled note journals in a few bytes");
    }

    [Fact]
    public async Task A_journaled_recall_replays_onto_the_snapshot_idempotently()
    {
        var (memory, clock, bees, snapshot) = await SetUpAsync();
        clock.UtcNow = Talk.May8.AddDays(3);
        await memory.GetContextAsync(new ContextRequest { Query = "Who keeps honeybees?", TokenBudget = 20, PreferVerbatimWhenItFits = false });
        var batch = MemoryChangeCodec.Encode([memory.DrainRecalls()!]);

        var restored = new AgentMemory(timeProvider: clock);
        restored.RestoreSnapshot(snapshot);
        Assert.Equal(0, (await restored.GetNoteAsync(bees.Id))!.RecallCount);
        restored.ApplyChanges(MemoryChangeCodec.Decode(batch));
        restored.ApplyChanges(MemoryChangeCodec.Decode(batch)); // twice: state, not events

        var expected = (await memory.GetNoteAsync(bees.Id))!;
        var actual = (await restored.GetNoteAsync(bees.Id))!;
        Assert.Equal((expected.RecallCount, expected.LastRecalledAt, expected.Strength), (actual.RecallCount, actual.LastRecalledAt, actual.Strength));
        Assert.Equal(1, actual.RecallCount);
        Assert.Equal(memory.GetStatistics(), restored.GetStatistics());
    }
}
