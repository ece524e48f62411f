using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;
using MemoryFabric.Text;

namespace MemoryFabric;

// The guard: write-time screening, quarantine (items kept but out of retrieval and consolidation) and lessons.
public sealed partial class AgentMemory
{
    /// <summary>The detector name of items quarantined or confirmed by hand.</summary>
    public const string ManualDetector = "manual";

    private readonly Dictionary<string, QuarantineEntry> _quarantine = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Note> _heldNotes = new(StringComparer.Ordinal); // API notes quarantined at write
    private readonly Dictionary<string, GuardLesson> _lessons = new(StringComparer.Ordinal);

    /// <summary>Lists the quarantine: every item the guard flagged, confirmed or released, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries.</returns>
    public Task<IReadOnlyList<QuarantineEntry>> GetQuarantineAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<QuarantineEntry> result = _quarantine.Values
            .OrderBy(e => e.DetectedAt).ThenBy(e => e.ItemId, StringComparer.Ordinal).ToList();
        return Task.FromResult(result);
    }

    /// <summary>Lists the guard's lessons, revoked ones included, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lessons.</returns>
    public Task<IReadOnlyList<GuardLesson>> GetLessonsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<GuardLesson> result = _lessons.Values
            .OrderBy(l => l.CreatedAt).ThenBy(l => l.Id, StringComparer.Ordinal).ToList();
        return Task.FromResult(result);
    }

    /// <summary>
    /// Releases a quarantined item back into retrieval: a turn is indexed again and joins the next consolidation
    /// (its session is re-segmented), a note is indexed (a note held since its write enters the note store).
    /// </summary>
    /// <param name="itemId">The item id.</param>
    /// <param name="cancellationToken">Cancels the call before anything changes.</param>
    /// <returns><see langword="true"/> when the item was quarantined and is now released; <see langword="false"/>
    /// when it is not in the quarantine or was already released.</returns>
    public async Task<bool> ReleaseAsync(string itemId, CancellationToken cancellationToken = default)
    {
        MemoryInputException.ThrowIfBlank(itemId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_quarantine.TryGetValue(itemId, out var entry) || entry.Status == QuarantineStatus.Released)
        {
            return false;
        }

        // Embed first: a failing embedder changes nothing.
        float[]? vector = null;
        var text = ReleasedIndexText(entry);
        if (text is not null && !_options.DeferEmbedding)
        {
            vector = (await EmbedAsync([text], cancellationToken).ConfigureAwait(false))[0];
        }

        var released = entry with { Status = QuarantineStatus.Released, ReviewedAt = _time.GetUtcNow() };
        _quarantine[itemId] = released;
        _changes.Add(new QuarantineChanged(released));
        Readmit(released, vector);
        return true;
    }

    /// <summary>
    /// Confirms that an item is poisoned: it stays out of retrieval (status <see cref="QuarantineStatus.Confirmed"/>)
    /// and a lesson is distilled from it, so the same content written again is quarantined at write time. An item
    /// not in the quarantine (or released) is quarantined first, by the <see cref="ManualDetector"/>.
    /// </summary>
    /// <param name="itemId">The item id: a turn, a note version or an episode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lesson (the existing one when the item was confirmed before), or <see langword="null"/> when
    /// no item has that id.</returns>
    public Task<GuardLesson?> ConfirmAsync(string itemId, CancellationToken cancellationToken = default)
    {
        MemoryInputException.ThrowIfBlank(itemId);
        cancellationToken.ThrowIfCancellationRequested();
        if (_quarantine.TryGetValue(itemId, out var entry) && entry.Status == QuarantineStatus.Confirmed
            && entry.LessonId is not null && _lessons.TryGetValue(entry.LessonId, out var existing))
        {
            return Task.FromResult<GuardLesson?>(existing);
        }

        if (entry is null || entry.Status == QuarantineStatus.Released)
        {
            if (DescribeItem(itemId) is not { } item)
            {
                return Task.FromResult<GuardLesson?>(null);
            }

            entry = Flag(itemId, item.Kind, item.Text, entry?.Reason ?? "confirmed as poisoned by a reviewer", entry?.Detector ?? ManualDetector);
        }

        var now = _time.GetUtcNow();
        var lesson = new GuardLesson(
            "l_" + Guid.NewGuid().ToString("N"),
            LessonSignature.Of(entry.Text),
            ClaimPatternOf(itemId),
            entry.Reason,
            now,
            Revoked: false)
        { SourceItemId = itemId };
        _lessons[lesson.Id] = lesson;
        _changes.Add(new LessonChanged(lesson));
        var confirmed = entry with { Status = QuarantineStatus.Confirmed, LessonId = lesson.Id, ReviewedAt = now };
        _quarantine[itemId] = confirmed;
        _changes.Add(new QuarantineChanged(confirmed));
        return Task.FromResult<GuardLesson?>(lesson);
    }

    /// <summary>
    /// Quarantines a stored item (a turn, a note version or an episode) found poisoned after its write, for
    /// example by retrieval-time consensus: it leaves the indexes at once; a turn's session is re-segmented by the
    /// next consolidation without it. Notes already extracted from a turn are not touched.
    /// </summary>
    /// <param name="itemId">The item id.</param>
    /// <param name="reason">Why, in words.</param>
    /// <param name="detector">What found it, e.g. "consensus".</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A completed task. An item already flagged or confirmed keeps its entry.</returns>
    /// <exception cref="MemoryInputException">No item has that id or the item id is blank.</exception>
    /// <exception cref="ArgumentException">The reason or detector is blank.</exception>
    public Task QuarantineAsync(string itemId, string reason, string detector, CancellationToken cancellationToken = default)
    {
        MemoryInputException.ThrowIfBlank(itemId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(detector);
        cancellationToken.ThrowIfCancellationRequested();
        if (_quarantine.TryGetValue(itemId, out var entry) && entry.Status != QuarantineStatus.Released)
        {
            return Task.CompletedTask;
        }

        var item = DescribeItem(itemId) ?? throw new MemoryInputException($"No turn, note or episode has the id '{itemId}'.", nameof(itemId));
        Flag(itemId, item.Kind, item.Text, reason, detector);
        return Task.CompletedTask;
    }

    /// <summary>Revokes a lesson: it no longer catches anything. Items it quarantined stay quarantined.</summary>
    /// <param name="lessonId">The lesson id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the lesson existed and was active.</returns>
    public Task<bool> RevokeLessonAsync(string lessonId, CancellationToken cancellationToken = default)
    {
        MemoryInputException.ThrowIfBlank(lessonId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_lessons.TryGetValue(lessonId, out var lesson) || lesson.Revoked)
        {
            return Task.FromResult(false);
        }

        var revoked = lesson with { Revoked = true };
        _lessons[lessonId] = revoked;
        _changes.Add(new LessonChanged(revoked));
        return Task.FromResult(true);
    }

    // Whether an item is kept out of retrieval and consolidation.
    private bool IsExcluded(string id) =>
        _quarantine.Count != 0 && _quarantine.TryGetValue(id, out var entry) && entry.Status != QuarantineStatus.Released;

    // Screens a text about to be written: the reason and the detector, or null when it passes (or the guard is off).
    private (string Reason, string Detector)? ScreenWrite(string text, bool allowRoleMarkers)
    {
        var guard = ActiveGuard;
        if (guard is null)
        {
            return null;
        }

        if (guard.ScreenInstructions && InstructionScreen.Screen(text, allowRoleMarkers) is { } reason)
        {
            return (reason, InstructionScreen.DetectorName);
        }

        if (guard.UseLessons && MatchLesson(text, guard) is { } lesson)
        {
            return ($"matches lesson {lesson.Id}: {lesson.Reason}", "lesson:" + lesson.Id);
        }

        return null;
    }

    // The first active lesson (oldest first) whose trigger signature the text contains enough of.
    private GuardLesson? MatchLesson(string text, MemoryGuardOptions guard)
    {
        if (_lessons.Count == 0)
        {
            return null;
        }

        HashSet<string>? terms = null;
        foreach (var lesson in _lessons.Values.OrderBy(l => l.CreatedAt).ThenBy(l => l.Id, StringComparer.Ordinal))
        {
            if (lesson.Revoked)
            {
                continue;
            }

            terms ??= new HashSet<string>(TextAnalyzer.Terms(text), StringComparer.Ordinal);
            if (LessonSignature.Containment(lesson.TriggerSignature, terms) >= guard.LessonSimilarity)
            {
                return lesson;
            }
        }

        return null;
    }

    // Records a new flag for an item and takes it out of the indexes; journals the entry.
    private QuarantineEntry Flag(string itemId, MemoryItemKind kind, string text, string reason, string detector, Note? heldNote = null)
    {
        var entry = new QuarantineEntry(itemId, kind, text, reason, detector, _time.GetUtcNow(), QuarantineStatus.Flagged);
        _quarantine[itemId] = entry;
        _changes.Add(new QuarantineChanged(entry) { HeldNote = heldNote });
        Exclude(entry);
        return entry;
    }

    // Takes a quarantined item out of the indexes (and a turn out of its session's episodes, at the next consolidation).
    private void Exclude(QuarantineEntry entry)
    {
        _consensusEpoch++;
        if (entry.Kind == MemoryItemKind.Turn)
        {
            TestimonyChanged(entry.ItemId, deferred: entry.Detector == TestimonyCheck.DetectorName);
        }

        switch (entry.Kind)
        {
            case MemoryItemKind.Turn:
                TurnLexical.Remove(entry.ItemId);
                if (_turns.TryGetValue(entry.ItemId, out var quarantined))
                {
                    ForgetAliasesOf(quarantined); // a name it taught is not taken on its word
                }

                _turnDense.Remove(entry.ItemId);
                NotOffloaded(MemoryItemKind.Turn, entry.ItemId);
                DenseChanged(MemoryItemKind.Turn, entry.ItemId, null);
                RemovePending(MemoryItemKind.Turn, entry.ItemId);
                if (_turns.TryGetValue(entry.ItemId, out var turn) && _turnEpisode.ContainsKey(entry.ItemId))
                {
                    _dirtySessions.Add(turn.SessionId); // segmented before: re-segment without it
                }

                _historyCharacters = -1;
                break;
            case MemoryItemKind.Note:
                UnindexNote(entry.ItemId);
                break;
            default:
                UnindexEpisode(entry.ItemId);
                break;
        }
    }

    // Puts a released item back: indexed (with the vector, or queued), a turn's session marked for consolidation, a
    // held note stored.
    private void Readmit(QuarantineEntry entry, float[]? vector)
    {
        _consensusEpoch++;
        if (entry.Kind == MemoryItemKind.Turn)
        {
            TestimonyChanged(entry.ItemId);
        }

        switch (entry.Kind)
        {
            case MemoryItemKind.Turn when _turns.TryGetValue(entry.ItemId, out var turn):
                IndexTurn(turn, TurnIndexText(turn), vector);
                _dirtySessions.Add(turn.SessionId);
                _historyCharacters = -1;
                break;
            case MemoryItemKind.Note:
                if (_heldNotes.Remove(entry.ItemId, out var held) && !_notes.ContainsVersion(held.Id))
                {
                    _notes.Restore(held);
                }

                if (_notes.Get(entry.ItemId) is { Status: NoteStatus.Active } note && string.Equals(note.Id, entry.ItemId, StringComparison.Ordinal))
                {
                    IndexNote(note, NoteIndexText(note), vector);
                }

                break;
            case MemoryItemKind.Episode when _episodes.TryGetValue(entry.ItemId, out var episode):
                IndexEpisode(episode, vector);
                break;
        }
    }

    // The text a released item is indexed with, or null when it is not indexed.
    private string? ReleasedIndexText(QuarantineEntry entry) => entry.Kind switch
    {
        MemoryItemKind.Turn => _turns.TryGetValue(entry.ItemId, out var turn) ? TurnIndexText(turn) : null,
        MemoryItemKind.Note => (_heldNotes.GetValueOrDefault(entry.ItemId) ?? _notes.Get(entry.ItemId)) is { Status: NoteStatus.Active } note ? NoteIndexText(note) : null,
        _ => _episodes.TryGetValue(entry.ItemId, out var episode) ? EpisodeIndexText(episode) : null,
    };

    private (MemoryItemKind Kind, string Text)? DescribeItem(string itemId)
    {
        if (_turns.TryGetValue(itemId, out var turn))
        {
            return (MemoryItemKind.Turn, turn.Text);
        }

        if (_heldNotes.TryGetValue(itemId, out var held))
        {
            return (MemoryItemKind.Note, held.Text);
        }

        if (_notes.ContainsVersion(itemId) && _notes.Get(itemId) is { } note && string.Equals(note.Id, itemId, StringComparison.Ordinal))
        {
            return (MemoryItemKind.Note, note.Text);
        }

        if (_episodes.TryGetValue(itemId, out var episode))
        {
            return (MemoryItemKind.Episode, episode.Summary);
        }

        return null;
    }

    private string? ClaimPatternOf(string itemId)
    {
        var note = _heldNotes.GetValueOrDefault(itemId) ?? (_notes.ContainsVersion(itemId) ? _notes.Get(itemId) : null);
        return note is { Attribute: { } attribute } ? note.Subject + "|" + attribute : null;
    }

    // Replay of a journaled quarantine change.
    private void ApplyQuarantineChange(QuarantineChanged change)
    {
        var entry = change.Entry;
        if (change.HeldNote is { } held && !_notes.ContainsVersion(held.Id))
        {
            _heldNotes[held.Id] = held;
        }

        var was = _quarantine.GetValueOrDefault(entry.ItemId);
        _quarantine[entry.ItemId] = entry;
        if (entry.Status == QuarantineStatus.Released)
        {
            if (was is null || was.Status != QuarantineStatus.Released)
            {
                Readmit(entry, null);
            }
        }
        else
        {
            Exclude(entry);
        }
    }

    private void WriteGuard(PayloadWriter w)
    {
        var entries = _quarantine.Values.OrderBy(e => e.DetectedAt).ThenBy(e => e.ItemId, StringComparer.Ordinal).ToList();
        w.WriteCount(entries.Count);
        foreach (var entry in entries)
        {
            RecordFormat.WriteQuarantineEntry(w, entry);
        }

        w.WriteCount(_heldNotes.Count);
        foreach (var note in _heldNotes.Values.OrderBy(n => n.Id, StringComparer.Ordinal))
        {
            RecordFormat.WriteNote(w, note);
        }

        var lessons = _lessons.Values.OrderBy(l => l.CreatedAt).ThenBy(l => l.Id, StringComparer.Ordinal).ToList();
        w.WriteCount(lessons.Count);
        foreach (var lesson in lessons)
        {
            RecordFormat.WriteLesson(w, lesson);
        }

        // With the checks on, the snapshot always carries the current verdicts (the ledger is brought up to date here if
        // it must be): an activation then judges from them, and never builds the ledger before its first screen.
        TestimonyKeeper.Write(w, _testimony.VerdictsForSnapshot(TestimonyState, TestimonyHistory, upToDate: ActiveGuard is { Testimony: true }));
    }

    private static void ReadGuard(ref PayloadReader r, SnapshotState s, int version)
    {
        r.Section = "quarantine";
        var entries = r.ReadCount(8);
        for (var i = 0; i < entries; i++)
        {
            s.Quarantine.Add(RecordFormat.ReadQuarantineEntry(ref r));
        }

        r.Section = "held notes";
        var held = r.ReadCount(16);
        for (var i = 0; i < held; i++)
        {
            s.HeldNotes.Add(RecordFormat.ReadNote(ref r, version));
        }

        r.Section = "lessons";
        var lessons = r.ReadCount(8);
        for (var i = 0; i < lessons; i++)
        {
            s.Lessons.Add(RecordFormat.ReadLesson(ref r));
        }

        if (version >= 4)
        {
            s.TestimonyVerdicts = TestimonyKeeper.Read(ref r);
        }
    }
}
