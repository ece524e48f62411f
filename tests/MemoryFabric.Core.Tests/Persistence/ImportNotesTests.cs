using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Persistence;

public sealed class ImportNotesTests
{
    [Fact]
    public async Task Imported_versions_keep_ids_lineage_and_history_and_duplicates_are_skipped()
    {
        var clock = Scenario.Clock();
        var source = new AgentMemory(timeProvider: clock);
        await source.IngestAsync(Scenario.Extra());
        await foreach (var _ in Scenario.NoteWritesAsync(source, clock))
        {
        }

        var notes = await source.GetNotesAsync(includeInactive: true);
        var target = new AgentMemory(timeProvider: clock);
        await target.IngestAsync(Scenario.Extra());

        Assert.Equal(notes.Count, await target.ImportNotesAsync(notes));
        Assert.Equal(0, await target.ImportNotesAsync(notes));

        Assert.Equal(await MemoryState.RecordsAsync(source), await MemoryState.RecordsAsync(target));
        foreach (var note in notes)
        {
            Assert.Equal(
                (await source.GetNoteHistoryAsync(note.Id)).Select(n => n.Id),
                (await target.GetNoteHistoryAsync(note.Id)).Select(n => n.Id));
        }

        var query = new SearchRequest { Query = "Where does Caroline live?", Kinds = [MemoryItemKind.Note] };
        Assert.Equal(
            (await source.SearchAsync(query)).Select(h => (h.Item.Id, h.LexicalRank, h.DenseRank)),
            (await target.SearchAsync(query)).Select(h => (h.Item.Id, h.LexicalRank, h.DenseRank)));
    }

    [Fact]
    public async Task Imports_are_in_the_feed_and_replay()
    {
        var clock = Scenario.Clock();
        var memory = new AgentMemory(timeProvider: clock);
        var imported = Scenario.Imported(Scenario.Now);

        Assert.Equal(2, await memory.ImportNotesAsync(imported.Reverse().ToList())); // stored in version order
        var changes = memory.DrainChanges();
        Assert.Equal(["imp-1", "imp-2"], changes.Cast<NoteVersionWritten>().Select(c => c.Note.Id));
        Assert.False(changes.Cast<NoteVersionWritten>().Last().DenseVector.IsEmpty); // the active one was embedded
        Assert.Equal(["imp-1", "imp-2"], (await memory.GetNoteHistoryAsync("imp-1")).Select(n => n.Id));

        var replayed = new AgentMemory(timeProvider: clock);
        replayed.ApplyChanges(MemoryChangeCodec.Decode(MemoryChangeCodec.Encode(changes)));

        Assert.Equal(await MemoryState.DumpAsync(memory, Scenario.Now), await MemoryState.DumpAsync(replayed, Scenario.Now));
    }

    [Fact]
    public async Task Deferred_imports_are_queued()
    {
        var embedder = new CountingEmbedder();
        var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, embeddingGenerator: embedder);

        await memory.ImportNotesAsync(Scenario.Imported(Scenario.Now));

        Assert.Equal(0, embedder.Calls);
        Assert.Equal(1, memory.PendingEmbeddingCount); // only the active version
        Assert.Contains(await memory.SearchAsync(new SearchRequest { Query = "Jon doctor" }), h => h.Item.Id == "imp-2");
    }

    [Fact]
    public async Task Invalid_versions_are_rejected_and_nothing_is_imported()
    {
        var memory = new AgentMemory(new AgentMemoryOptions { MaxNoteTextLength = 100 });
        var good = Scenario.Imported(Scenario.Now)[1];
        Note[] bad =
        [
            good with { Id = " " },
            good with { LineageId = "" },
            good with { Text = "  " },
            good with { Text = new string('a', 101) },
            good with { Subject = "" },
            good with { Version = 0 },
            good with { Value = null },
            good with { Provenance = null! },
            good with { Importance = double.NaN },
        ];

        foreach (var note in bad)
        {
            await Assert.ThrowsAsync<MemoryInputException>(() => memory.ImportNotesAsync([Scenario.Imported(Scenario.Now)[0], note]));
        }

        await Assert.ThrowsAsync<MemoryInputException>(() => memory.ImportNotesAsync([good, good]));
        await Assert.ThrowsAsync<MemoryInputException>(() => memory.ImportNotesAsync([null!]));
        Assert.Equal(0, memory.GetStatistics().NoteVersions);
        Assert.Empty(memory.DrainChanges());
    }
}
