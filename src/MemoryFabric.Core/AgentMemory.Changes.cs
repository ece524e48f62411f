using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;
using MemoryFabric.Text;
using MemoryFabric.Validation;

namespace MemoryFabric;

// The change feed (what a journal records), its replay, note import and statistics.
public sealed partial class AgentMemory
{
    private List<MemoryChange> _changes = [];
    private List<(Note Note, bool Removed)>? _noteCapture;

    /// <summary>
    /// Returns the durable changes made since the last call, in order, and forgets them. A host journals them (one
    /// batch per write call, encoded with <see cref="MemoryChangeCodec"/>) and replays them with
    /// <see cref="ApplyChanges"/> on top of the last snapshot.
    /// </summary>
    /// <returns>The changes; empty when there were none.</returns>
    /// <remarks>
    /// <para>The feed holds what acknowledged writes did: <see cref="TurnStored"/> for each turn an ingest stored
    /// (duplicates skipped, none when the ingest failed); <see cref="NoteVersionWritten"/> for each note version
    /// that <see cref="AddNoteAsync"/>, <see cref="UpdateNoteAsync(string, NoteWrite, int?, CancellationToken)"/>,
    /// <see cref="DeleteNoteAsync(string, int?, CancellationToken)"/> or
    /// <see cref="ImportNotesAsync"/> stored or changed (the new version, and the previous one with its new
    /// status); <see cref="NoteVersionsPurged"/> for <see cref="PurgeNoteAsync"/> and <see cref="ForgetNoteAsync"/>
    /// (which adds a <see cref="TurnsForgotten"/> when it forgets the note's sources). A vector computed on the write
    /// path travels with its change.</para>
    /// <para>Not in the feed, and captured by the next snapshot instead: everything
    /// <see cref="ConsolidateAsync"/> does (episodes, extracted notes, supersessions, links, decay), recall
    /// reinforcement by <see cref="GetContextAsync"/> (see <see cref="DrainRecalls"/>), vectors computed by
    /// <see cref="EmbedPendingAsync"/>,
    /// and whatever <see cref="ApplyChanges"/> or <see cref="RestoreSnapshot"/> load. So a drain after a
    /// consolidation returns nothing of it and replay never applies consolidation twice. Drain (and journal) before
    /// consolidating and snapshotting: changes still in the feed when a snapshot is taken are also in the
    /// snapshot, and replaying a note version over a snapshot that consolidated it would undo that.</para>
    /// <para>The feed is always recorded; a memory that is never drained keeps one small record per write (sharing
    /// the stored turns, notes and vectors).</para>
    /// </remarks>
    public IReadOnlyList<MemoryChange> DrainChanges()
    {
        if (_changes.Count == 0)
        {
            return [];
        }

        var drained = _changes;
        _changes = [];
        return drained;
    }

    /// <summary>
    /// Replays journaled changes onto the current state (after <see cref="RestoreSnapshot"/>, or on an empty
    /// memory), without calling the embedder: an item whose change carries a vector from the same embedding model
    /// is indexed with it, any other is lexically indexed and queued for <see cref="EmbedPendingAsync"/> (whatever
    /// <see cref="AgentMemoryOptions.DeferEmbedding"/> says).
    /// </summary>
    /// <param name="changes">The changes, in journal order.</param>
    /// <remarks>
    /// A turn already stored (same id) is skipped, so replaying turns twice is harmless; a note version is upserted
    /// by id; a purge removes the versions present. Replay restores what the writes did: sequence numbers,
    /// participants, session order, dirty sessions (the next consolidation segments replayed turns), note lineages
    /// and history. Replayed changes are not added to the change feed.
    /// </remarks>
    /// <exception cref="ArgumentException">A change is null or of an unknown type.</exception>
    public void ApplyChanges(IReadOnlyList<MemoryChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        for (var i = 0; i < changes.Count; i++)
        {
            var valid = changes[i] switch
            {
                TurnStored t => t.Turn is { Id: not null, SessionId: not null, Speaker: not null, Text: not null },
                NoteVersionWritten n => n.Note is { Id: not null, LineageId: not null, Text: not null, Subject: not null, Provenance.TurnIds: not null },
                NoteVersionsPurged p => p.NoteIds is not null,
                QuarantineChanged q => q.Entry is { ItemId: not null, Text: not null, Reason: not null, Detector: not null },
                LessonChanged l => l.Lesson is { Id: not null, TriggerSignature: not null, Reason: not null },
                NotesRecalled r => r.Notes is not null,
                TurnsForgotten f => f.TurnIds is not null,
                _ => false,
            };
            if (!valid)
            {
                throw new ArgumentException($"Change {i} is null, incomplete or of an unknown type.", nameof(changes));
            }
        }

        // Turns of a run are all stored before any is indexed, as one ingest does: a turn's index text includes the
        // question it answers, which may come later in the same batch.
        var run = new List<(Turn Turn, float[]? Vector)>();
        foreach (var change in changes)
        {
            switch (change)
            {
                case TurnStored stored:
                    var turn = stored.Turn;
                    if (_turns.ContainsKey(turn.Id))
                    {
                        continue;
                    }

                    AddTurn(turn);
                    _sequence = Math.Max(_sequence, turn.Sequence);
                    run.Add((turn, AcceptVector(MemoryItemKind.Turn, stored.DenseVector, stored.EmbeddingModelId)));
                    break;
                case NoteVersionWritten written:
                    IndexReplayedTurns(run);
                    UpsertReplayedNote(written.Note, AcceptVector(MemoryItemKind.Note, written.DenseVector, written.EmbeddingModelId));
                    break;
                case NoteVersionsPurged purged:
                    IndexReplayedTurns(run);
                    foreach (var id in purged.NoteIds)
                    {
                        if (id is not null && _notes.ContainsVersion(id))
                        {
                            foreach (var removed in _notes.Purge(id))
                            {
                                UnindexNote(removed.Id);
                            }
                        }
                    }

                    break;
                case QuarantineChanged quarantine:
                    IndexReplayedTurns(run);
                    ApplyQuarantineChange(quarantine);
                    break;
                case LessonChanged lesson:
                    _lessons[lesson.Lesson.Id] = lesson.Lesson;
                    break;
                case NotesRecalled recalled:
                    IndexReplayedTurns(run);
                    Decay.RecallLog.Apply(_notes, recalled);
                    break;
                case TurnsForgotten forgotten:
                    IndexReplayedTurns(run);
                    Forget(forgotten.TurnIds.Where(id => id is not null).ToList());
                    break;
            }
        }

        IndexReplayedTurns(run);
    }

    /// <summary>
    /// Imports note versions verbatim (ids, lineages, versions, statuses, provenance, strength kept), for example
    /// from another memory's <see cref="GetNotesAsync"/>(includeInactive: true). Versions whose id is already
    /// stored are skipped. Active versions are indexed (embedded in one batch, or queued for
    /// <see cref="EmbedPendingAsync"/> with <see cref="AgentMemoryOptions.DeferEmbedding"/>). Imported versions
    /// appear in the change feed as <see cref="NoteVersionWritten"/>.
    /// </summary>
    /// <param name="notes">The versions; within a lineage they are stored in version order.</param>
    /// <param name="cancellationToken">Cancels the call before anything is stored.</param>
    /// <returns>How many versions were imported.</returns>
    /// <exception cref="MemoryInputException">A version is invalid (blank id, lineage, text or subject, text or subject
    /// over <see cref="AgentMemoryOptions.MaxNoteTextLength"/>, a version below 1, an attribute without a value or
    /// the reverse, missing provenance) or an id appears twice; nothing is imported.</exception>
    public async Task<int> ImportNotesAsync(IReadOnlyList<Note> notes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notes);
        MemoryInputValidator.ValidateImportedNotes(notes, _options);
        cancellationToken.ThrowIfCancellationRequested();
        var fresh = notes.Where(n => !_notes.ContainsVersion(n.Id)).OrderBy(n => n.Version).ToList();
        if (fresh.Count == 0)
        {
            return 0;
        }

        var active = fresh.Where(n => n.Status == NoteStatus.Active).ToList();
        var texts = active.Select(NoteIndexText).ToList();
        var vectors = _options.DeferEmbedding
            ? new float[]?[active.Count]
            : await EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
        var vectorOf = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var i = 0; i < active.Count; i++)
        {
            if (vectors[i] is { } vector)
            {
                vectorOf[active[i].Id] = vector;
            }
        }

        foreach (var note in fresh)
        {
            _notes.Restore(note);
            vectorOf.TryGetValue(note.Id, out var vector);
            _changes.Add(new NoteVersionWritten(note) { DenseVector = vector, EmbeddingModelId = vector is null ? null : _embedderModelId });
        }

        for (var i = 0; i < active.Count; i++)
        {
            // Imported notes are screened like written ones: a flagged note is stored but quarantined, not indexed.
            if (ScreenWrite(active[i].Text, allowRoleMarkers: false) is { } flag)
            {
                Flag(active[i].Id, MemoryItemKind.Note, active[i].Text, flag.Reason, flag.Detector);
                continue;
            }

            IndexNote(active[i], texts[i], vectors[i]);
        }

        return fresh.Count;
    }

    /// <summary>Counts what the memory holds.</summary>
    /// <returns>The statistics.</returns>
    public AgentMemoryStatistics GetStatistics()
    {
        DateTimeOffset? last = null;
        foreach (var session in _sessions.Values)
        {
            var latest = session[^1].Timestamp; // sessions are in timestamp order
            if (last is null || latest > last)
            {
                last = latest;
            }
        }

        return new AgentMemoryStatistics(
            _turns.Count,
            _sessions.Count,
            _episodes.Count,
            _notes.Active.Count(),
            _notes.Count,
            _pending.Count,
            last)
        {
            Quarantined = _quarantine.Values.Count(e => e.Status != Guard.QuarantineStatus.Released),
            Lessons = _lessons.Values.Count(l => !l.Revoked),
            OffloadedTurnVectors = _offloaded.Count,
        };
    }

    private void IndexReplayedTurns(List<(Turn Turn, float[]? Vector)> run)
    {
        foreach (var (turn, vector) in run)
        {
            IndexTurn(turn, TurnIndexText(turn), vector);
        }

        run.Clear();
    }

    private void UpsertReplayedNote(Note note, float[]? vector)
    {
        if (_notes.ContainsVersion(note.Id))
        {
            _notes.Replace(note);
        }
        else
        {
            _notes.Restore(note);
        }

        if (note.Status != NoteStatus.Active || IsExcluded(note.Id))
        {
            UnindexNote(note.Id);
            return;
        }

        // An active version that is already indexed keeps its entries (a version's text never changes).
        if (!NoteLexical.Contains(note.Id))
        {
            NoteLexical.Upsert(note.Id, TextAnalyzer.Terms(NoteIndexText(note)));
        }

        if (vector is not null)
        {
            _noteDense.Upsert(note.Id, vector);
            DenseChanged(MemoryItemKind.Note, note.Id, vector);
            RemovePending(MemoryItemKind.Note, note.Id);
        }
        else if (!_noteDense.Contains(note.Id))
        {
            EnqueuePending(MemoryItemKind.Note, note.Id);
        }
    }


    private List<(Note Note, bool Removed)> BeginNoteCapture()
    {
        var captured = new List<(Note Note, bool Removed)>();
        _noteCapture = captured;
        return captured;
    }

    // Turns what the note store did during one API write into changes; the write's new version carries its vector.
    private void EndNoteCapture(List<(Note Note, bool Removed)> captured, string? embeddedNoteId, float[]? vector)
    {
        _noteCapture = null;
        List<string>? purged = null;
        foreach (var (note, removed) in captured)
        {
            if (removed)
            {
                (purged ??= []).Add(note.Id);
                continue;
            }

            if (purged is not null)
            {
                _changes.Add(new NoteVersionsPurged(purged));
                purged = null;
            }

            var carries = vector is not null && string.Equals(note.Id, embeddedNoteId, StringComparison.Ordinal);
            _changes.Add(new NoteVersionWritten(note)
            {
                DenseVector = carries ? vector : null,
                EmbeddingModelId = carries ? _embedderModelId : null,
            });
        }

        if (purged is not null)
        {
            _changes.Add(new NoteVersionsPurged(purged));
        }
    }

    private void OnNoteStoreChange(Note note, bool removed)
    {
        _noteCapture?.Add((note, removed));
        _noteSources.OnChanged(note, removed); // retrieval: which notes cite each turn
    }
}
