using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Persistence;

/// <summary>Snapshot, journal replay and their combination reproduce the observable state exactly.</summary>
public sealed class PersistenceRoundTripTests
{
    private static readonly DateTimeOffset QueryTime = Scenario.Now;

    // Plays the whole history on a memory, journaling after every write call, as the actor does.
    private static async Task<List<byte[]>> PlayAsync(AgentMemory memory, Support.FakeTimeProvider clock, bool consolidate)
    {
        var journal = new List<byte[]>();
        await memory.IngestAsync(Scenario.Turns("a-", 3, 30, seed: 1));
        journal.Add(MemoryState.Journal(memory));
        await memory.IngestAsync(Scenario.Extra());
        journal.Add(MemoryState.Journal(memory));
        if (consolidate)
        {
            await memory.ConsolidateAsync();
            Assert.Empty(memory.DrainChanges());
        }

        await foreach (var _ in Scenario.NoteWritesAsync(memory, clock))
        {
            journal.Add(MemoryState.Journal(memory));
        }

        await memory.ImportNotesAsync(Scenario.Imported(Scenario.Now));
        journal.Add(MemoryState.Journal(memory));
        clock.Advance(TimeSpan.FromDays(1));
        await memory.IngestAsync(Scenario.Turns("b-", 2, 20, seed: 2, weekOffset: 8));
        journal.Add(MemoryState.Journal(memory));
        return journal;
    }

    // Records exactly; searches up to the int8 encoding of the snapshot's vectors (MemoryState.AssertSameTopHitsAsync).
    [Fact]
    public async Task Snapshot_and_restore_reproduce_the_records_and_the_top_hits()
    {
        var clock = Scenario.Clock();
        var original = new AgentMemory(timeProvider: clock);
        await PlayAsync(original, clock, consolidate: true);
        var snapshot = original.CreateSnapshot();

        var restored = new AgentMemory(timeProvider: clock);
        restored.RestoreSnapshot(snapshot);

        Assert.Equal(0, restored.PendingEmbeddingCount);
        Assert.Equal(await MemoryState.RecordsAsync(original), await MemoryState.RecordsAsync(restored));
        await MemoryState.AssertSameTopHitsAsync(original, restored, QueryTime);
        Assert.Equal(original.GetStatistics(), restored.GetStatistics());
    }

    [Fact]
    public async Task A_restored_memory_consolidates_like_the_original()
    {
        var clock = Scenario.Clock();
        var original = new AgentMemory(timeProvider: clock);
        await PlayAsync(original, clock, consolidate: true); // the "b-" sessions are dirty
        var restored = new AgentMemory(timeProvider: clock);
        restored.RestoreSnapshot(original.CreateSnapshot());

        var a = await original.ConsolidateAsync();
        var b = await restored.ConsolidateAsync();

        Assert.Equal(a with { Duration = TimeSpan.Zero }, b with { Duration = TimeSpan.Zero });
        Assert.Equal(2, a.SessionsSegmented);
        Assert.Equal(Episodes(await original.GetEpisodesAsync()), Episodes(await restored.GetEpisodesAsync()));
        Assert.Equal(NoteTexts(await original.GetNotesAsync(true)), NoteTexts(await restored.GetNotesAsync(true)));
    }

    [Fact]
    public async Task Replaying_every_journal_entry_onto_an_empty_memory_reproduces_the_state()
    {
        var clock = Scenario.Clock();
        var original = new AgentMemory(timeProvider: clock);
        var journal = await PlayAsync(original, clock, consolidate: false);

        var replayed = new AgentMemory(timeProvider: clock);
        MemoryState.Replay(replayed, journal);

        Assert.Equal(0, replayed.PendingEmbeddingCount); // every write embedded inline: the vectors were journaled
        Assert.Empty(replayed.DrainChanges());
        Assert.Equal(await MemoryState.DumpAsync(original, QueryTime), await MemoryState.DumpAsync(replayed, QueryTime));
    }

    [Fact]
    public async Task Replayed_turns_consolidate_like_the_original_turns()
    {
        var clock = Scenario.Clock();
        var original = new AgentMemory(timeProvider: clock);
        await original.IngestAsync(Scenario.Turns("a-", 3, 30, seed: 1));
        await original.IngestAsync(Scenario.Extra());
        var journal = new[] { MemoryState.Journal(original) };
        var replayed = new AgentMemory(timeProvider: clock);
        MemoryState.Replay(replayed, journal);

        await original.ConsolidateAsync();
        var report = await replayed.ConsolidateAsync();

        Assert.Equal(4, report.SessionsSegmented); // replay left the sessions dirty
        Assert.Equal(Episodes(await original.GetEpisodesAsync()), Episodes(await replayed.GetEpisodesAsync()));
        Assert.Equal(NoteTexts(await original.GetNotesAsync(true)), NoteTexts(await replayed.GetNotesAsync(true)));
    }

    [Fact]
    public async Task A_snapshot_plus_the_later_journal_reproduces_the_state()
    {
        var clock = Scenario.Clock();
        var original = new AgentMemory(timeProvider: clock);
        await original.IngestAsync(Scenario.Turns("a-", 3, 30, seed: 1));
        await original.IngestAsync(Scenario.Extra());
        await original.ConsolidateAsync();
        original.DrainChanges(); // covered by the snapshot
        var snapshot = original.CreateSnapshot();

        // After the snapshot: writes that touch what consolidation made, and new turns and notes.
        var journal = new List<byte[]>();
        var extracted = (await original.GetNotesAsync()).Where(n => n.Provenance.Extractor != "api").ToList();
        Assert.True(extracted.Count >= 3);
        await original.UpdateNoteAsync(extracted[0].Id, new NoteWrite { Text = extracted[0].Text + " (confirmed)", Subject = extracted[0].Subject });
        journal.Add(MemoryState.Journal(original));
        await original.DeleteNoteAsync(extracted[1].LineageId);
        journal.Add(MemoryState.Journal(original));
        await original.PurgeNoteAsync(extracted[2].Id);
        journal.Add(MemoryState.Journal(original));
        await foreach (var _ in Scenario.NoteWritesAsync(original, clock))
        {
            journal.Add(MemoryState.Journal(original));
        }

        await original.IngestAsync(Scenario.Turns("b-", 2, 20, seed: 2, weekOffset: 8));
        journal.Add(MemoryState.Journal(original));
        await original.IngestAsync([Support.Talk.Input("a-S1:100", "Melanie", "One more thing about pottery class.", Support.Talk.May8.AddMinutes(200), "a-session-1")]);
        journal.Add(MemoryState.Journal(original));

        var restored = new AgentMemory(timeProvider: clock);
        restored.RestoreSnapshot(snapshot);
        MemoryState.Replay(restored, journal);

        Assert.Equal(await MemoryState.RecordsAsync(original), await MemoryState.RecordsAsync(restored));
        await MemoryState.AssertSameTopHitsAsync(original, restored, QueryTime);

        // Both consolidate the same sessions (the replayed turns left theirs dirty).
        var a = await original.ConsolidateAsync();
        var b = await restored.ConsolidateAsync();
        Assert.Equal(3, a.SessionsSegmented);
        Assert.Equal(a.SessionsSegmented, b.SessionsSegmented);
        Assert.Equal(Episodes(await original.GetEpisodesAsync()), Episodes(await restored.GetEpisodesAsync()));
    }

    [Fact]
    public async Task Deferred_memories_round_trip_with_their_pending_queue()
    {
        var clock = Scenario.Clock();
        var options = new AgentMemoryOptions { DeferEmbedding = true };
        var original = new AgentMemory(options, clock);
        await original.IngestAsync(Scenario.Turns("a-", 3, 30, seed: 1));
        await original.IngestAsync(Scenario.Extra());
        await original.ConsolidateAsync();
        await original.EmbedPendingAsync(50);
        original.DrainChanges();
        var snapshot = original.CreateSnapshot();
        var journal = new List<byte[]>();
        await foreach (var _ in Scenario.NoteWritesAsync(original, clock))
        {
            journal.Add(MemoryState.Journal(original));
        }

        await original.IngestAsync(Scenario.Turns("b-", 2, 20, seed: 2, weekOffset: 8));
        journal.Add(MemoryState.Journal(original));

        var restored = new AgentMemory(options, clock);
        restored.RestoreSnapshot(snapshot);
        MemoryState.Replay(restored, journal);

        Assert.True(original.PendingEmbeddingCount > 100);
        Assert.Equal(original.PendingEmbeddingCount, restored.PendingEmbeddingCount);
        Assert.Equal(await MemoryState.RecordsAsync(original), await MemoryState.RecordsAsync(restored));
        await MemoryState.AssertSameTopHitsAsync(original, restored, QueryTime);

        while (await original.EmbedPendingAsync(64) > 0)
        {
        }

        while (await restored.EmbedPendingAsync(64) > 0)
        {
        }

        Assert.Equal(0, restored.PendingEmbeddingCount);
        Assert.Equal(await MemoryState.RecordsAsync(original), await MemoryState.RecordsAsync(restored));
        await MemoryState.AssertSameTopHitsAsync(original, restored, QueryTime);
    }

    [Fact]
    public async Task Replaying_turns_twice_changes_nothing()
    {
        var clock = Scenario.Clock();
        var original = new AgentMemory(timeProvider: clock);
        await original.IngestAsync(Scenario.Turns("a-", 2, 10, seed: 1));
        var entry = MemoryState.Journal(original);
        var replayed = new AgentMemory(timeProvider: clock);

        MemoryState.Replay(replayed, [entry]);
        var once = await MemoryState.RecordsAsync(replayed);
        MemoryState.Replay(replayed, [entry, entry]);

        Assert.Equal(once, await MemoryState.RecordsAsync(replayed));
        Assert.Equal(await MemoryState.DumpAsync(original, QueryTime), await MemoryState.DumpAsync(replayed, QueryTime));
    }

    [Fact]
    public async Task Replay_restores_the_sequence_counter_and_participants()
    {
        var clock = Scenario.Clock();
        var original = new AgentMemory(timeProvider: clock);
        await original.IngestAsync(Scenario.Extra());
        var replayed = new AgentMemory(timeProvider: clock);
        replayed.ApplyChanges(original.DrainChanges());

        TurnInput next = Support.Talk.Input("x:3", "Jon", "Hi both, Jon here.", Scenario.Now.AddDays(-3).AddMinutes(1), "session-x");
        await original.IngestAsync([next]);
        await replayed.IngestAsync([next]);

        Assert.Equal(4, (await replayed.GetTurnsAsync()).Single(t => t.Id == "x:3").Sequence);
        Assert.Equal(await MemoryState.RecordsAsync(original), await MemoryState.RecordsAsync(replayed));
        Assert.Equal(
            (await original.GetTurnsAsync("session-x")).Select(t => t.Id),
            (await replayed.GetTurnsAsync("session-x")).Select(t => t.Id));
    }

    [Fact]
    public async Task The_feed_holds_acknowledged_writes_only()
    {
        var clock = Scenario.Clock();
        var memory = new AgentMemory(timeProvider: clock);

        var ingest = await memory.IngestAsync(Scenario.Extra());
        var turns = memory.DrainChanges();
        Assert.Equal(ingest.StoredTurnIds, turns.Cast<TurnStored>().Select(c => c.Turn.Id));
        Assert.All(turns.Cast<TurnStored>(), c => Assert.Equal(384, c.DenseVector.Length));
        Assert.Empty(memory.DrainChanges());

        await memory.IngestAsync(Scenario.Extra()); // all duplicates
        Assert.Empty(memory.DrainChanges());

        var added = await memory.AddNoteAsync(new NoteWrite { Text = "Melanie ran the Boston marathon.", Subject = "Melanie" });
        var written = Assert.IsType<NoteVersionWritten>(Assert.Single(memory.DrainChanges()));
        Assert.Equal(added.Note, written.Note);
        Assert.Equal(384, written.DenseVector.Length);

        await memory.AddNoteAsync(new NoteWrite { Text = "Melanie ran the Boston marathon.", Subject = "Melanie" }); // no-op
        Assert.Empty(memory.DrainChanges());

        var updated = await memory.UpdateNoteAsync(added.Note.Id, new NoteWrite { Text = "Melanie ran the Boston marathon in April.", Subject = "Melanie" });
        var update = memory.DrainChanges().Cast<NoteVersionWritten>().ToList();
        Assert.Equal([updated.Previous!.Id, updated.Note.Id], update.Select(c => c.Note.Id));
        Assert.Equal(NoteStatus.Superseded, update[0].Note.Status);
        Assert.True(update[0].DenseVector.IsEmpty);
        Assert.False(update[1].DenseVector.IsEmpty);

        await memory.ConsolidateAsync();
        await memory.GetContextAsync(new ContextRequest { Query = "marathon", PreferVerbatimWhenItFits = false }); // reinforces
        Assert.Empty(memory.DrainChanges());

        await memory.PurgeNoteAsync(updated.Note.Id);
        var purge = Assert.IsType<NoteVersionsPurged>(Assert.Single(memory.DrainChanges()));
        Assert.Equal(new[] { added.Note.Id, updated.Note.Id }.Order(StringComparer.Ordinal), purge.NoteIds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_failed_ingest_leaves_nothing_in_the_feed()
    {
        var embedder = new CountingEmbedder { Failure = new InvalidOperationException("down") };
        var memory = new AgentMemory(embeddingGenerator: embedder);

        await Assert.ThrowsAsync<InvalidOperationException>(() => memory.IngestAsync(Scenario.Extra()));

        Assert.Empty(memory.DrainChanges());
    }

    [Fact]
    public async Task Restoring_into_a_memory_that_holds_something_is_refused()
    {
        var source = new AgentMemory();
        await source.IngestAsync(Scenario.Extra());
        var snapshot = source.CreateSnapshot();
        var target = new AgentMemory();
        await target.AddNoteAsync(new NoteWrite { Text = "Anything at all.", Subject = "Jon" });

        Assert.Throws<InvalidOperationException>(() => target.RestoreSnapshot(snapshot));
        var twice = new AgentMemory();
        twice.RestoreSnapshot(snapshot);
        Assert.Throws<InvalidOperationException>(() => twice.RestoreSnapshot(snapshot));
    }

    [Fact]
    public async Task Snapshot_of_an_empty_memory_restores_empty()
    {
        var restored = new AgentMemory();
        restored.RestoreSnapshot(new AgentMemory().CreateSnapshot());

        Assert.Equal(new AgentMemoryStatistics(0, 0, 0, 0, 0, 0, null), restored.GetStatistics());
        await restored.IngestAsync(Scenario.Extra());
        Assert.Equal(3, restored.GetStatistics().Turns);
    }

    [Fact]
    public async Task WriteSnapshot_to_a_stream_and_a_buffer_writer_matches_CreateSnapshot()
    {
        var memory = new AgentMemory(timeProvider: Scenario.Clock());
        await memory.IngestAsync(Scenario.Turns("a-", 2, 10, seed: 3));
        var bytes = memory.CreateSnapshot();
        using var stream = new MemoryStream();
        memory.WriteSnapshot(stream);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        memory.WriteSnapshot(buffer);

        Assert.Equal(bytes, stream.ToArray());
        Assert.Equal(bytes, buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task Snapshots_of_approximate_levels_restore_the_HNSW_index()
    {
        var options = new AgentMemoryOptions { Retrieval = new RetrievalOptions { ApproximateSearchThreshold = 40 } };
        var clock = Scenario.Clock();
        var original = new AgentMemory(options, clock);
        await original.IngestAsync(Scenario.Turns("a-", 2, 40, seed: 5));
        var restored = new AgentMemory(options, clock);
        restored.RestoreSnapshot(original.CreateSnapshot());

        Assert.Equal(await MemoryState.RecordsAsync(original), await MemoryState.RecordsAsync(restored));
        var hits = await restored.SearchAsync(new SearchRequest { Query = "pottery yesterday", Limit = 20 });
        Assert.Contains(hits, h => h.DenseRank is not null);
        var again = new AgentMemory(options, clock);
        again.RestoreSnapshot(restored.CreateSnapshot()); // the shard enumerates its vectors for the next snapshot
        Assert.Equal(original.GetStatistics(), again.GetStatistics());
    }

    private static List<string> Episodes(IEnumerable<Episode> episodes) =>
        episodes.Select(e => $"{e.Id}|{string.Join(',', e.TurnIds)}|{e.Summary}|{string.Join(',', e.Keywords)}").ToList();

    private static List<string> NoteTexts(IEnumerable<Note> notes) =>
        notes.Select(n => $"{n.Status}|{n.Version}|{n.Text}").Order(StringComparer.Ordinal).ToList();
}
