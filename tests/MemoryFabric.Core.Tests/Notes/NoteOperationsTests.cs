using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Notes;

/// <summary>The ADD / UPDATE / SUPERSEDE / NOOP / DELETE / PURGE operations, through <see cref="AgentMemory"/>.</summary>
public sealed class NoteOperationsTests
{
    private static readonly DateTimeOffset T1 = new(2023, 1, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = new(2023, 6, 10, 0, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2023, 7, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly AgentMemory _memory;

    public NoteOperationsTests()
    {
        _memory = new AgentMemory(timeProvider: _clock);
    }

    private static NoteWrite Fact(string text, string subject = "Melanie") => new() { Text = text, Subject = subject };

    private static NoteWrite Home(string city, DateTimeOffset from) => new()
    {
        Kind = NoteKind.Profile,
        Text = $"Caroline lives in {city}.",
        Subject = "Caroline",
        Attribute = "home",
        Value = city,
        ValidFrom = from,
    };

    [Fact]
    public async Task A_weak_source_cannot_supersede_a_trusted_value_but_a_trusted_one_can()
    {
        var trusted = await _memory.AddNoteAsync(Home("Seattle", T1));
        var weak = await _memory.AddNoteAsync(Home("Denver", T2) with { Source = Conversation.SourceKind.Tool, Trust = 0.2 });

        Assert.Equal(NoteOperation.Added, weak.Operation); // beside it, in its own lineage: the conflict stays visible
        Assert.NotEqual(trusted.Note.LineageId, weak.Note.LineageId);
        Assert.Equal(NoteStatus.Active, (await _memory.GetNoteAsync(trusted.Note.Id))!.Status);

        var move = await _memory.AddNoteAsync(Home("Boston", T2.AddDays(1)));
        Assert.Equal(NoteOperation.Superseded, move.Operation);
        Assert.Equal(trusted.Note.LineageId, move.Note.LineageId);

        var unguarded = new AgentMemory(new AgentMemoryOptions { Guard = new MemoryFabric.Guard.MemoryGuardOptions { Enabled = false } }, _clock);
        await unguarded.AddNoteAsync(Home("Seattle", T1));
        Assert.Equal(NoteOperation.Superseded, (await unguarded.AddNoteAsync(Home("Denver", T2) with { Source = Conversation.SourceKind.Tool, Trust = 0.2 })).Operation);
    }

    [Fact]
    public async Task Add_creates_version_one_of_a_new_lineage()
    {
        var result = await _memory.AddNoteAsync(Fact("Melanie loves pottery.") with { Kind = NoteKind.Preference, Importance = 0.8 });

        Assert.Equal(NoteOperation.Added, result.Operation);
        Assert.Null(result.Previous);
        var note = result.Note;
        Assert.Equal(note.Id, note.LineageId);
        Assert.Equal(1, note.Version);
        Assert.Equal(NoteStatus.Active, note.Status);
        Assert.Equal(NoteKind.Preference, note.Kind);
        Assert.Equal(0.8, note.Importance);
        Assert.Equal(_clock.UtcNow, note.CreatedAt);
        Assert.Equal(_clock.UtcNow, note.ValidFrom);
        Assert.Equal("api", note.Provenance.Extractor);
        Assert.Equal(note, await _memory.GetNoteAsync(note.Id));
        Assert.Equal([note.Id], (await _memory.GetNotesAsync()).Select(n => n.Id));
    }

    [Fact]
    public async Task Adding_the_same_text_again_is_a_no_op()
    {
        var first = await _memory.AddNoteAsync(Fact("Melanie loves pottery."));

        var again = await _memory.AddNoteAsync(Fact("  Melanie loves pottery.  "));
        var reordered = await _memory.AddNoteAsync(Fact("Pottery: Melanie loves!"));

        Assert.Equal(NoteOperation.NoOp, again.Operation);
        Assert.Equal(first.Note.Id, again.Note.Id);
        Assert.Equal(NoteOperation.NoOp, reordered.Operation);
        Assert.Single(await _memory.GetNotesAsync(includeInactive: true));
    }

    [Fact]
    public async Task The_same_text_about_another_subject_is_a_new_note()
    {
        await _memory.AddNoteAsync(Fact("Loves pottery.", "Melanie"));

        var other = await _memory.AddNoteAsync(Fact("Loves pottery.", "Caroline"));

        Assert.Equal(NoteOperation.Added, other.Operation);
        Assert.Equal(2, (await _memory.GetNotesAsync()).Count);
    }

    [Fact]
    public async Task Update_writes_version_two_and_keeps_version_one_superseded()
    {
        var v1 = (await _memory.AddNoteAsync(Fact("Melanie loves pottery."))).Note;
        _clock.Advance(TimeSpan.FromHours(1));

        var result = await _memory.UpdateNoteAsync(v1.Id, Fact("Melanie loves pottery and painting."));

        Assert.Equal(NoteOperation.Updated, result.Operation);
        var v2 = result.Note;
        Assert.NotEqual(v1.Id, v2.Id);
        Assert.Equal(2, v2.Version);
        Assert.Equal(v1.LineageId, v2.LineageId);
        Assert.Equal(v1.Id, v2.SupersedesId);
        Assert.Equal(NoteStatus.Active, v2.Status);

        var old = await _memory.GetNoteAsync(v1.Id);
        Assert.NotNull(old);
        Assert.Equal(NoteStatus.Superseded, old.Status);
        Assert.Equal(v2.Id, old.SupersededById);
        Assert.Equal("update", old.SupersedeReason);
        Assert.Equal("Melanie loves pottery.", old.Text);
        Assert.Equal(old, result.Previous);

        var history = await _memory.GetNoteHistoryAsync(v2.Id);
        Assert.Equal([v1.Id, v2.Id], history.Select(n => n.Id));
        Assert.Equal([1, 2], history.Select(n => n.Version));
        Assert.Equal(history.Select(n => n.Id), (await _memory.GetNoteHistoryAsync(v1.LineageId)).Select(n => n.Id));
        Assert.Equal([v2.Id], (await _memory.GetNotesAsync()).Select(n => n.Id));
        Assert.Equal(2, (await _memory.GetNotesAsync(includeInactive: true)).Count);
    }

    [Fact]
    public async Task Updating_a_superseded_version_names_the_current_one()
    {
        // v1's id is also the lineage id (which names the current version), so a middle version is used here.
        var v1 = (await _memory.AddNoteAsync(Fact("Melanie loves pottery."))).Note;
        var v2 = (await _memory.UpdateNoteAsync(v1.Id, Fact("Melanie loves pottery and painting."))).Note;
        var v3 = (await _memory.UpdateNoteAsync(v2.Id, Fact("Melanie loves pottery, painting and clay."))).Note;

        var error = await Assert.ThrowsAsync<NoteConflictException>(() => _memory.UpdateNoteAsync(v2.Id, Fact("Melanie loves clay.")));
        var delete = await Assert.ThrowsAsync<NoteConflictException>(() => _memory.DeleteNoteAsync(v2.Id));

        Assert.Contains("superseded", error.Message, StringComparison.Ordinal);
        Assert.Contains(v3.Id, error.Message, StringComparison.Ordinal);
        Assert.Equal((NoteConflictKind.NotCurrent, v3.Id, 3, NoteStatus.Active), (error.Kind, error.CurrentId, error.CurrentVersion, error.CurrentStatus));
        Assert.Equal(v3.Id, delete.CurrentId);
        Assert.Equal(3, (await _memory.GetNoteHistoryAsync(v1.Id)).Count);
        Assert.Equal([v3.Id], (await _memory.GetNotesAsync()).Select(n => n.Id));
    }

    [Fact]
    public async Task The_first_versions_id_names_that_version_unless_the_current_version_is_expected()
    {
        // The lineage id is the first version's id: aimed at v1 once v2 exists, a write is refused (it must not change
        // v2 unseen); naming the current version (its ETag) makes the lineage id address the note again.
        var v1 = (await _memory.AddNoteAsync(Fact("Melanie loves pottery."))).Note;
        var v2 = (await _memory.UpdateNoteAsync(v1.Id, Fact("Melanie loves pottery and painting."))).Note;

        var refused = await Assert.ThrowsAsync<NoteConflictException>(() => _memory.UpdateNoteAsync(v1.LineageId, Fact("Melanie loves clay.")));
        Assert.Equal(v2.Id, refused.CurrentId);
        await Assert.ThrowsAsync<NoteConflictException>(() => _memory.DeleteNoteAsync(v1.LineageId));
        await Assert.ThrowsAsync<NoteConflictException>(() => _memory.UpdateNoteAsync(v1.LineageId, Fact("Melanie loves clay."), expectedVersion: 1));
        Assert.Equal([v2.Id], (await _memory.GetNotesAsync()).Select(n => n.Id));

        var v3 = await _memory.UpdateNoteAsync(v1.LineageId, Fact("Melanie loves pottery, painting and clay."), expectedVersion: 2);
        Assert.Equal(3, v3.Note.Version);
        Assert.Equal(NoteOperation.Deleted, (await _memory.DeleteNoteAsync(v1.LineageId, expectedVersion: 3)).Operation);
    }

    [Fact]
    public async Task An_expected_version_is_checked_with_the_write()
    {
        var v1 = (await _memory.AddNoteAsync(Fact("Melanie loves pottery."))).Note;
        var v2 = (await _memory.UpdateNoteAsync(v1.Id, Fact("Melanie loves pottery and painting."), expectedVersion: 1)).Note;

        var stale = await Assert.ThrowsAsync<NoteConflictException>(() => _memory.UpdateNoteAsync(v2.Id, Fact("Melanie loves clay."), expectedVersion: 1));
        var staleDelete = await Assert.ThrowsAsync<NoteConflictException>(() => _memory.DeleteNoteAsync(v2.Id, expectedVersion: 1));

        Assert.Equal((NoteConflictKind.VersionMismatch, v2.Id, 2, 1), (stale.Kind, stale.CurrentId, stale.CurrentVersion, stale.ExpectedVersion));
        Assert.Equal(NoteConflictKind.VersionMismatch, staleDelete.Kind);
        Assert.Equal([v2.Id], (await _memory.GetNotesAsync()).Select(n => n.Id));
        Assert.Equal(2, (await _memory.GetNotesAsync(includeInactive: true)).Count);
        Assert.Equal(3, _memory.DrainChanges().Count); // the add, and the update's two versions: the refused calls wrote nothing
        Assert.Equal(NoteOperation.Deleted, (await _memory.DeleteNoteAsync(v2.Id, expectedVersion: 2)).Operation);
    }

    [Fact]
    public async Task A_lineage_id_that_no_version_has_names_the_current_version()
    {
        // Forgetting the only source of v1 removes v1; the lineage id then names no version, only the note.
        await _memory.IngestAsync([Talk.Input("D1:1", "Melanie", "I love pottery.", Talk.May8), Talk.Input("D1:2", "Melanie", "And painting.", Talk.May8.AddMinutes(1))]);
        var v1 = (await _memory.AddNoteAsync(Fact("Melanie loves pottery.") with { SourceTurnIds = ["D1:1"] })).Note;
        var v2 = (await _memory.UpdateNoteAsync(v1.Id, Fact("Melanie loves pottery and painting.") with { SourceTurnIds = ["D1:2"] })).Note;
        await _memory.ForgetTurnsAsync(["D1:1"]);
        Assert.Equal([v2.Id], (await _memory.GetNoteHistoryAsync(v1.LineageId)).Select(v => v.Id));

        var v3 = await _memory.UpdateNoteAsync(v1.LineageId, Fact("Melanie loves pottery, painting and clay."));

        Assert.Equal(v2.Id, v3.Previous!.Id);
        Assert.Equal(v1.LineageId, v3.Note.LineageId);
    }

    [Fact]
    public async Task A_contradicting_newer_note_supersedes_the_current_one()
    {
        var boston = (await _memory.AddNoteAsync(Home("Boston", T1))).Note;

        var result = await _memory.AddNoteAsync(Home("Seattle", T2));

        Assert.Equal(NoteOperation.Superseded, result.Operation);
        var seattle = result.Note;
        Assert.Equal(NoteStatus.Active, seattle.Status);
        Assert.Equal("Seattle", seattle.Value);
        Assert.Equal(boston.LineageId, seattle.LineageId);
        Assert.Equal(2, seattle.Version);
        Assert.Equal(boston.Id, seattle.SupersedesId);
        Assert.Equal(T2, seattle.ValidFrom);

        var old = await _memory.GetNoteAsync(boston.Id);
        Assert.NotNull(old);
        Assert.Equal(NoteStatus.Superseded, old.Status);
        Assert.Equal(T2, old.ValidTo);
        Assert.Equal(seattle.Id, old.SupersededById);
        Assert.Equal("contradiction", old.SupersedeReason);

        Assert.Equal(["Boston", "Seattle"], (await _memory.GetNoteHistoryAsync(seattle.Id)).Select(n => n.Value));
        Assert.Equal(["Seattle"], (await _memory.GetNotesAsync()).Select(n => n.Value));
        Assert.Equal(2, (await _memory.GetNotesAsync(includeInactive: true)).Count);
        Assert.DoesNotContain(await _memory.GetNotesAsync(includeInactive: true), n => n.Status == NoteStatus.Deleted);
    }

    [Fact]
    public async Task The_same_attribute_with_the_same_value_is_a_no_op()
    {
        var boston = (await _memory.AddNoteAsync(Home("Boston", T1))).Note;

        var result = await _memory.AddNoteAsync(Home("boston", T2) with { Text = "Caroline has her home in Boston now." });

        Assert.Equal(NoteOperation.NoOp, result.Operation);
        Assert.Equal(boston.Id, result.Note.Id);
        Assert.Single(await _memory.GetNotesAsync(includeInactive: true));
    }

    [Fact]
    public async Task Another_subject_with_the_same_attribute_does_not_contradict()
    {
        await _memory.AddNoteAsync(Home("Boston", T1));

        var result = await _memory.AddNoteAsync(Home("Seattle", T2) with { Subject = "Melanie", Text = "Melanie lives in Seattle." });

        Assert.Equal(NoteOperation.Added, result.Operation);
        Assert.Equal(2, (await _memory.GetNotesAsync()).Count);
    }

    [Fact]
    public async Task An_older_contradicting_note_does_not_replace_the_current_one()
    {
        var seattle = (await _memory.AddNoteAsync(Home("Seattle", T2))).Note;

        var result = await _memory.AddNoteAsync(Home("Boston", T1));

        Assert.Equal(NoteOperation.NoOp, result.Operation);
        Assert.Equal(seattle.Id, result.Note.Id);
        Assert.Equal(NoteStatus.Active, (await _memory.GetNoteAsync(seattle.Id))!.Status);
        Assert.Equal(["Seattle"], (await _memory.GetNotesAsync()).Select(n => n.Value));

        var history = await _memory.GetNoteHistoryAsync(seattle.Id);
        Assert.Equal(2, history.Count);
        var boston = Assert.Single(history, n => n.Value == "Boston");
        Assert.Equal(NoteStatus.Superseded, boston.Status);
        Assert.Equal(T1, boston.ValidFrom);
        Assert.Equal(T2, boston.ValidTo);
        Assert.Equal(seattle.Id, boston.SupersededById);
    }

    [Fact]
    public async Task Re_adding_an_older_contradicting_note_does_not_grow_the_history()
    {
        var seattle = (await _memory.AddNoteAsync(Home("Seattle", T2))).Note;
        await _memory.AddNoteAsync(Home("Boston", T1));

        await _memory.AddNoteAsync(Home("Boston", T1));

        Assert.Equal(2, (await _memory.GetNoteHistoryAsync(seattle.Id)).Count);
    }

    [Fact]
    public async Task Version_numbers_in_a_lineage_are_unique()
    {
        var seattle = (await _memory.AddNoteAsync(Home("Seattle", T2))).Note;
        await _memory.AddNoteAsync(Home("Boston", T1));

        await _memory.UpdateNoteAsync(seattle.Id, Home("Seattle", T2) with { Text = "Caroline lives in Seattle, WA." });

        var versions = (await _memory.GetNoteHistoryAsync(seattle.Id)).Select(n => n.Version).ToList();
        Assert.Equal(versions.Count, versions.Distinct().Count());
    }

    [Fact]
    public async Task Delete_leaves_a_tombstone_in_the_history_only()
    {
        var note = (await _memory.AddNoteAsync(Fact("Melanie keeps honeybees in her back garden."))).Note;
        Assert.Contains(await _memory.SearchAsync(new SearchRequest { Query = "honeybees garden" }), h => h.Item.Id == note.Id);

        var result = await _memory.DeleteNoteAsync(note.Id);

        Assert.Equal(NoteOperation.Deleted, result.Operation);
        Assert.Equal(NoteStatus.Deleted, result.Note.Status);
        Assert.Equal(_clock.UtcNow, result.Note.ValidTo);
        Assert.Equal(NoteStatus.Deleted, (await _memory.GetNoteAsync(note.Id))!.Status);
        Assert.Equal(NoteStatus.Deleted, Assert.Single(await _memory.GetNoteHistoryAsync(note.Id)).Status);
        Assert.Empty(await _memory.GetNotesAsync());
        Assert.Single(await _memory.GetNotesAsync(includeInactive: true));
        Assert.DoesNotContain(await _memory.SearchAsync(new SearchRequest { Query = "honeybees garden" }), h => h.Item.Kind == MemoryItemKind.Note);
    }

    [Fact]
    public async Task A_deleted_note_can_be_written_again()
    {
        var note = (await _memory.AddNoteAsync(Fact("Melanie loves pottery."))).Note;
        await _memory.DeleteNoteAsync(note.Id);

        var again = await _memory.AddNoteAsync(Fact("Melanie loves pottery."));

        Assert.Equal(NoteOperation.Added, again.Operation);
        Assert.NotEqual(note.Id, again.Note.Id);
    }

    [Fact]
    public async Task Updating_or_deleting_a_deleted_note_is_a_conflict_naming_the_tombstone()
    {
        var note = (await _memory.AddNoteAsync(Fact("Melanie loves pottery."))).Note;
        await _memory.DeleteNoteAsync(note.Id);

        var update = await Assert.ThrowsAsync<NoteConflictException>(() => _memory.UpdateNoteAsync(note.Id, Fact("Melanie loves clay.")));
        var delete = await Assert.ThrowsAsync<NoteConflictException>(() => _memory.DeleteNoteAsync(note.Id));

        Assert.Contains(note.Id, update.Message, StringComparison.Ordinal);
        Assert.Contains("deleted", update.Message, StringComparison.Ordinal);
        Assert.Contains("deleted", delete.Message, StringComparison.Ordinal);
        Assert.Equal((note.Id, NoteStatus.Deleted), (update.CurrentId, update.CurrentStatus));
        Assert.Single(await _memory.GetNoteHistoryAsync(note.Id));
    }

    [Fact]
    public async Task Unknown_ids_throw_or_return_nothing()
    {
        var error = await Assert.ThrowsAsync<MemoryItemNotFoundException>(() => _memory.UpdateNoteAsync("n_missing", Fact("x y z")));
        Assert.Contains("n_missing", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MemoryItemNotFoundException>(() => _memory.DeleteNoteAsync("n_missing"));
        Assert.Null(await _memory.GetNoteAsync("n_missing"));
        Assert.Empty(await _memory.GetNoteHistoryAsync("n_missing"));
        Assert.Equal(0, await _memory.PurgeNoteAsync("n_missing"));
    }

    [Fact]
    public async Task Purge_removes_every_version_for_good()
    {
        var boston = (await _memory.AddNoteAsync(Home("Boston", T1))).Note;
        var seattle = (await _memory.AddNoteAsync(Home("Seattle", T2))).Note;
        await _memory.DeleteNoteAsync(seattle.Id);
        var unrelated = (await _memory.AddNoteAsync(Fact("Melanie loves pottery."))).Note;

        var removed = await _memory.PurgeNoteAsync(boston.Id);

        Assert.Equal(2, removed);
        Assert.Null(await _memory.GetNoteAsync(boston.Id));
        Assert.Null(await _memory.GetNoteAsync(seattle.Id));
        Assert.Empty(await _memory.GetNoteHistoryAsync(boston.Id));
        Assert.Equal([unrelated.Id], (await _memory.GetNotesAsync(includeInactive: true)).Select(n => n.Id));
        Assert.DoesNotContain(await _memory.SearchAsync(new SearchRequest { Query = "Caroline lives Boston Seattle" }), h => h.Item.Kind == MemoryItemKind.Note && h.Item.Id != unrelated.Id);
    }

    [Fact]
    public async Task Purge_of_an_active_note_unindexes_it()
    {
        var note = (await _memory.AddNoteAsync(Fact("Melanie keeps honeybees in her back garden."))).Note;

        Assert.Equal(1, await _memory.PurgeNoteAsync(note.Id));

        Assert.Empty(await _memory.SearchAsync(new SearchRequest { Query = "honeybees" }));
    }

    [Fact]
    public async Task Source_turns_must_be_stored()
    {
        await _memory.IngestAsync([Talk.Input("D1:1", "Melanie", "I adopted a dog yesterday.", Talk.May8)]);

        var ok = await _memory.AddNoteAsync(Fact("Melanie adopted a dog on 7 May 2023.") with { SourceTurnIds = ["D1:1"] });
        var error = await Assert.ThrowsAsync<MemoryInputException>(() => _memory.AddNoteAsync(Fact("Melanie has a cat.") with { SourceTurnIds = ["D1:1", "D9:9"] }));

        Assert.Equal(["D1:1"], ok.Note.Provenance.TurnIds);
        Assert.Contains("D9:9", error.Message, StringComparison.Ordinal);
        Assert.Single(await _memory.GetNotesAsync());
    }

    [Theory]
    [InlineData("attribute-only")]
    [InlineData("value-only")]
    [InlineData("blank-text")]
    [InlineData("blank-subject")]
    [InlineData("too-long")]
    public async Task Invalid_notes_are_rejected_and_nothing_is_stored(string problem)
    {
        var note = problem switch
        {
            "attribute-only" => Fact("Caroline lives somewhere.") with { Attribute = "home" },
            "value-only" => Fact("Caroline lives in Boston.") with { Value = "Boston" },
            "blank-text" => Fact("   "),
            "blank-subject" => Fact("Caroline lives in Boston.", " "),
            _ => Fact(new string('a', 4_001)),
        };

        await Assert.ThrowsAsync<MemoryInputException>(() => _memory.AddNoteAsync(note));

        Assert.Empty(await _memory.GetNotesAsync(includeInactive: true));
    }

    [Fact]
    public async Task Attribute_without_value_names_the_problem()
    {
        var error = await Assert.ThrowsAsync<MemoryInputException>(() => _memory.AddNoteAsync(Fact("Caroline lives somewhere.") with { Attribute = "home" }));

        Assert.Contains("attribute and value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_update_changes_nothing()
    {
        var note = (await _memory.AddNoteAsync(Fact("Melanie loves pottery."))).Note;

        await Assert.ThrowsAsync<MemoryInputException>(() => _memory.UpdateNoteAsync(note.Id, Fact(" ")));

        Assert.Equal(NoteStatus.Active, (await _memory.GetNoteAsync(note.Id))!.Status);
        Assert.Single(await _memory.GetNoteHistoryAsync(note.Id));
    }
}
