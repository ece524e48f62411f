using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Persistence;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Notes;

/// <summary>The merge of <see cref="NoteStore.Add"/>: a note that restates an active one is a no-op, one that restates
/// and adds to it merges into it, and a different fact about the same subject stays a note of its own; notes written
/// through the API and notes extracted by consolidation go through the same rule.</summary>
public sealed class NoteMergeTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2023, 7, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly AgentMemory _memory;

    public NoteMergeTests()
    {
        _memory = new AgentMemory(timeProvider: _clock);
    }

    private static NoteWrite Fact(string text, string subject = "Alice") => new() { Text = text, Subject = subject };

    [Fact]
    public async Task Five_paraphrases_of_one_fact_are_one_active_note()
    {
        string[] paraphrases =
        [
            "Alice is allergic to peanuts.",
            "alice is ALLERGIC to peanuts!!",
            "Alice has a peanut allergy.",
            "Peanuts: Alice is allergic to them.",
            "Alice's allergic to peanuts",
        ];

        var results = new List<NoteWriteResult>();
        foreach (var text in paraphrases)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            results.Add(await _memory.AddNoteAsync(Fact(text)));
        }

        Assert.Equal([NoteOperation.Added, NoteOperation.NoOp, NoteOperation.NoOp, NoteOperation.NoOp, NoteOperation.NoOp], results.Select(r => r.Operation));
        var note = Assert.Single(await _memory.GetNotesAsync());
        Assert.All(results, r => Assert.Equal(note.Id, r.Note.Id));
        Assert.Single(await _memory.GetNotesAsync(includeInactive: true));
    }

    [Fact]
    public async Task Paraphrases_that_each_add_something_merge_into_the_note_they_all_restate()
    {
        // Each adds words of its own to the fact the first states; after the first merge the note's text says more,
        // and the later ones are still found by the fact the note started from.
        string[] paraphrases =
        [
            "Alice is allergic to peanuts.",
            "Alice has a peanut allergy.",
            "Peanuts give Alice an allergic reaction.",
            "Alice can't eat peanuts because she is allergic to them.",
            "Alice is allergic to peanuts, so she avoids them.",
        ];

        var operations = new List<NoteOperation>();
        foreach (var text in paraphrases)
        {
            operations.Add((await _memory.AddNoteAsync(Fact(text))).Operation);
        }

        Assert.Equal([NoteOperation.Added, NoteOperation.NoOp, NoteOperation.Merged, NoteOperation.Merged, NoteOperation.Merged], operations);
        var note = Assert.Single(await _memory.GetNotesAsync());
        Assert.Equal(
            "Peanuts give Alice an allergic reaction. Alice can't eat peanuts because she is allergic to them. Alice is allergic to peanuts, so she avoids them.",
            note.Text);
        Assert.Equal(4, note.Version);
        Assert.Equal(NoteOperation.NoOp, (await _memory.AddNoteAsync(Fact("Alice avoids peanuts."))).Operation);

        // What the note started from does not make another fact about Alice a restatement of it.
        Assert.Equal(NoteOperation.Added, (await _memory.AddNoteAsync(Fact("Alice is allergic to shellfish."))).Operation);
        Assert.Equal(NoteOperation.Added, (await _memory.AddNoteAsync(Fact("Alice is not allergic to peanuts."))).Operation);
    }

    [Fact]
    public async Task A_paraphrase_that_contradicts_what_was_merged_in_replaces_the_text()
    {
        await _memory.AddNoteAsync(Fact("Alice likes tea."));
        await _memory.AddNoteAsync(Fact("Alice likes tea and coffee."));

        var result = await _memory.AddNoteAsync(Fact("Alice likes tea but not coffee."));

        Assert.Equal(NoteOperation.Merged, result.Operation);
        Assert.Equal("Alice likes tea but not coffee.", Assert.Single(await _memory.GetNotesAsync()).Text);
    }

    [Fact]
    public async Task A_paraphrase_that_adds_to_a_note_merges_into_a_new_version_of_it()
    {
        var first = (await _memory.AddNoteAsync(Fact("Alice is allergic to peanuts.") with { Importance = 0.9 })).Note;
        _clock.Advance(TimeSpan.FromHours(1));

        var result = await _memory.AddNoteAsync(Fact("Alice is severely allergic to peanuts since childhood."));

        Assert.Equal(NoteOperation.Merged, result.Operation);
        var merged = result.Note;
        Assert.Equal((first.LineageId, 2, first.Id), (merged.LineageId, merged.Version, merged.SupersedesId));
        Assert.Equal("Alice is severely allergic to peanuts since childhood.", merged.Text);
        Assert.Equal(0.9, merged.Importance);
        Assert.Equal(first.ValidFrom, merged.ValidFrom);
        Assert.Equal((NoteStatus.Superseded, merged.Id, "merge"), (result.Previous!.Status, result.Previous.SupersededById, result.Previous.SupersedeReason));
        Assert.Null(result.Previous.ValidTo); // still true: a merge is not a contradiction
        Assert.Equal([merged.Id], (await _memory.GetNotesAsync()).Select(n => n.Id));
        var hits = await _memory.SearchAsync(new SearchRequest { Query = "severely allergic peanuts" });
        Assert.Equal(merged.Id, Assert.Single(hits, h => h.Item.Kind == MemoryItemKind.Note).Item.Id);

        // Saying less again changes nothing.
        Assert.Equal(NoteOperation.NoOp, (await _memory.AddNoteAsync(Fact("Alice has a peanut allergy."))).Operation);
        Assert.Single(await _memory.GetNotesAsync());
    }

    [Theory]
    [InlineData("Alice is allergic to peanuts.", "Alice is allergic to shellfish.")]
    [InlineData("Alice likes tea.", "Alice dislikes tea.")]
    [InlineData("Alice likes tea.", "Alice does not like tea.")]
    [InlineData("Alice likes tea.", "Alice doesn't like tea.")]
    [InlineData("Alice has two kids.", "Alice has three kids.")]
    [InlineData("Alice visited Paris in 2019.", "Alice visited Paris in 2023.")]
    [InlineData("Alice works in an office.", "Alice works as an officer.")]
    [InlineData("Alice likes teaching.", "Alice likes her teacher.")]
    [InlineData("Alice loves the planet.", "Alice loves planes.")]
    public async Task Different_facts_about_one_subject_stay_apart(string one, string other)
    {
        var first = await _memory.AddNoteAsync(Fact(one));
        var second = await _memory.AddNoteAsync(Fact(other));
        var again = await _memory.AddNoteAsync(Fact(one)); // and the first one is still there, unchanged

        Assert.Equal((NoteOperation.Added, NoteOperation.Added), (first.Operation, second.Operation));
        Assert.Equal((NoteOperation.NoOp, first.Note.Id), (again.Operation, again.Note.Id));
        Assert.Equal(2, (await _memory.GetNotesAsync()).Count);
    }

    [Fact]
    public async Task Another_subject_kind_or_event_day_is_another_note()
    {
        var alice = await _memory.AddNoteAsync(Fact("Alice went hiking in the Alps.") with { Kind = NoteKind.Event, EventTime = Talk.May8 });

        var bob = await _memory.AddNoteAsync(Fact("Bob went hiking in the Alps.", "Bob") with { Kind = NoteKind.Event, EventTime = Talk.May8 });
        var plan = await _memory.AddNoteAsync(Fact("Alice went hiking in the Alps with Bob.") with { Kind = NoteKind.Plan });
        var later = await _memory.AddNoteAsync(Fact("Alice went hiking in the Alps again.") with { Kind = NoteKind.Event, EventTime = Talk.May8.AddDays(30) });
        var sameDay = await _memory.AddNoteAsync(Fact("Alice went hiking in the Swiss Alps.") with { Kind = NoteKind.Event, EventTime = Talk.May8.AddHours(3) });

        Assert.Equal(NoteOperation.Added, alice.Operation);
        Assert.Equal([NoteOperation.Added, NoteOperation.Added, NoteOperation.Added, NoteOperation.Merged], new[] { bob, plan, later, sameDay }.Select(r => r.Operation));
        Assert.Equal(alice.Note.LineageId, sameDay.Note.LineageId);
    }

    [Fact]
    public async Task A_merged_note_rests_on_both_notes_sources()
    {
        await _memory.IngestAsync(
        [
            Talk.Input("t1", "Alice", "Peanuts make me sick, I'm allergic.", Talk.May8),
            Talk.Input("t2", "Alice", "Since I was a kid I've been severely allergic to peanuts.", Talk.May8.AddMinutes(1)),
        ]);
        var first = (await _memory.AddNoteAsync(Fact("Alice is allergic to peanuts.") with { SourceTurnIds = ["t1"] })).Note;

        var merged = await _memory.AddNoteAsync(Fact("Alice is severely allergic to peanuts since childhood.") with { SourceTurnIds = ["t2"] });

        Assert.Equal(NoteOperation.Merged, merged.Operation);
        Assert.Equal(["t1", "t2"], merged.Note.Provenance.TurnIds);
        var restated = await _memory.AddNoteAsync(Fact("Alice has a peanut allergy.") with { SourceTurnIds = ["t1"] });
        Assert.Equal((NoteOperation.NoOp, merged.Note.Id), (restated.Operation, restated.Note.Id));

        // Forgetting one source keeps the note (the other remains) without it.
        var forgotten = await _memory.ForgetTurnsAsync(["t1"]);
        Assert.Contains(merged.Note.Id, forgotten.RedactedNoteIds);
        Assert.Contains(first.Id, forgotten.PurgedNoteIds);
        Assert.Equal(["t2"], Assert.Single(await _memory.GetNotesAsync()).Provenance.TurnIds);
    }

    [Fact]
    public async Task A_weak_source_never_rewrites_a_trusted_note()
    {
        var trusted = (await _memory.AddNoteAsync(Fact("Alice is allergic to peanuts."))).Note;

        var weakSame = await _memory.AddNoteAsync(Fact("Alice has a peanut allergy.") with { Source = SourceKind.Tool, Trust = 0.2 });
        var weakMore = await _memory.AddNoteAsync(Fact("Alice is allergic to peanuts and hazelnuts.") with { Source = SourceKind.Tool, Trust = 0.2 });

        Assert.Equal((NoteOperation.NoOp, trusted.Id), (weakSame.Operation, weakSame.Note.Id));
        Assert.Equal(NoteOperation.Added, weakMore.Operation);
        Assert.Equal(NoteStatus.Active, (await _memory.GetNoteAsync(trusted.Id))!.Status);
        Assert.Equal(2, (await _memory.GetNotesAsync()).Count);

        // A trusted statement that a weak note covers is recorded as trusted, not folded into the weak note.
        var trustedPart = await _memory.AddNoteAsync(Fact("Alice is allergic to hazelnuts."));
        Assert.Equal(NoteOperation.Added, trustedPart.Operation);
    }

    [Fact]
    public async Task An_api_note_restating_an_extracted_note_goes_through_the_same_merge()
    {
        await _memory.IngestAsync(Talk.SmallSession());
        await _memory.ConsolidateAsync();
        var extracted = Assert.Single(await _memory.GetNotesAsync(), n => n.Text.Contains("support group", StringComparison.Ordinal));
        Assert.NotEqual("api", extracted.Provenance.Extractor);
        var restate = new NoteWrite { Kind = extracted.Kind, Subject = extracted.Subject, EventTime = extracted.EventTime, Text = extracted.Text };

        var noOp = await _memory.AddNoteAsync(restate with { Text = extracted.Text.ToUpperInvariant() });
        var merged = await _memory.AddNoteAsync(restate with { Text = extracted.Text.TrimEnd('.') + ", with her friend Dana." });

        Assert.Equal((NoteOperation.NoOp, extracted.Id), (noOp.Operation, noOp.Note.Id));
        Assert.Equal((NoteOperation.Merged, extracted.LineageId), (merged.Operation, merged.Note.LineageId));
        Assert.Equal(extracted.Provenance.TurnIds, merged.Note.Provenance.TurnIds);
    }

    [Fact]
    public async Task The_merge_survives_a_snapshot_and_a_replay()
    {
        var first = (await _memory.AddNoteAsync(Fact("Alice is allergic to peanuts."))).Note;
        var snapshot = _memory.CreateSnapshot();
        _memory.DrainChanges();
        var merged = (await _memory.AddNoteAsync(Fact("Alice is severely allergic to peanuts."))).Note;
        var journal = MemoryState.Journal(_memory);

        var restored = new AgentMemory(timeProvider: _clock);
        restored.RestoreSnapshot(snapshot);
        Assert.Equal(NoteOperation.NoOp, (await restored.AddNoteAsync(Fact("Alice has a peanut allergy."))).Operation); // index built after the restore

        var replayed = new AgentMemory(timeProvider: _clock);
        replayed.RestoreSnapshot(snapshot);
        MemoryState.Replay(replayed, [journal]);
        Assert.Equal(await MemoryState.RecordsAsync(_memory), await MemoryState.RecordsAsync(replayed));
        Assert.Equal(merged.Id, Assert.Single(await replayed.GetNotesAsync()).Id);
        Assert.Equal(NoteStatus.Superseded, (await replayed.GetNoteAsync(first.Id))!.Status);
        var again = await replayed.AddNoteAsync(Fact("Alice is allergic to peanuts, severely."));
        Assert.Equal((NoteOperation.NoOp, merged.Id), (again.Operation, again.Note.Id));
    }
}
