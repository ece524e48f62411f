using MemoryFabric.Conversation;
using MemoryFabric.Decay;
using MemoryFabric.Embeddings;
using MemoryFabric.Extraction;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;
using MemoryFabric.Segmentation;
using MemoryFabric.Text;
using MemoryFabric.Validation;
using Microsoft.Extensions.AI;

namespace MemoryFabric;

/// <summary>
/// The memory of one agent: the verbatim turns, the episodes cut from them, the notes distilled from those, and
/// hybrid retrieval over all three. A plain object with no runtime, HTTP or storage dependency; single-threaded by
/// contract (a runtime gives it one call at a time), every call async and cancellable.
/// </summary>
/// <remarks>
/// Sessions are created implicitly by their first turn. Ingestion only stores and indexes turns (they are searchable
/// at once); <see cref="ConsolidateAsync"/> segments them into episodes and extracts notes.
/// <para>Persistence: <see cref="DrainChanges"/> hands out the durable changes of acknowledged writes for a journal,
/// <see cref="ApplyChanges"/> replays them, <see cref="CreateSnapshot"/> / <see cref="RestoreSnapshot"/> capture and
/// restore the whole state. With <see cref="AgentMemoryOptions.DeferEmbedding"/> dense embedding leaves the write
/// path: <see cref="EmbedPendingAsync"/> catches up.</para>
/// </remarks>
public sealed partial class AgentMemory : IAgentMemory
{
    private readonly AgentMemoryOptions _options;
    private readonly TimeProvider _time;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly bool _embedderIsLexical; // the hashed embedder: dense weight defaults lower (RetrievalOptions.DenseWeight)
    private readonly INoteExtractor _extractor;
    private readonly EpisodeSegmenter _segmenter;
    private readonly ForgettingCurve _curve;

    private readonly Dictionary<string, Turn> _turns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Turn>> _sessions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirtySessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Episode> _episodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _sessionEpisodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _extractedEpisodes = new(StringComparer.Ordinal);
    private NoteStore _notes = new();
    private readonly List<string> _participants = [];
    private long _sequence;
    private int _historyCharacters;

    /// <summary>Creates an empty agent memory.</summary>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="embeddingGenerator">The embedder for dense retrieval; the hashing embedder when <see langword="null"/>.</param>
    /// <param name="noteExtractor">The note extractor; the rule-based one when <see langword="null"/>.</param>
    public AgentMemory(
        AgentMemoryOptions? options = null,
        TimeProvider? timeProvider = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null,
        INoteExtractor? noteExtractor = null)
    {
        _options = options ?? new AgentMemoryOptions();
        _time = timeProvider ?? TimeProvider.System;
        _embedder = embeddingGenerator ?? new HashingEmbeddingGenerator();
        _embedderIsLexical = _embedder.GetService(typeof(HashingEmbeddingGenerator)) is not null;
        _extractor = noteExtractor ?? new RuleBasedNoteExtractor();
        _segmenter = new EpisodeSegmenter(_options.Segmentation);
        var retrieval = _options.Retrieval;
        _turnDense = new TieredVectorIndex(retrieval.ApproximateSearchThreshold, retrieval.ApproximateSearchEf);
        _episodeDense = new TieredVectorIndex(retrieval.ApproximateSearchThreshold, retrieval.ApproximateSearchEf);
        _noteDense = new TieredVectorIndex(retrieval.ApproximateSearchThreshold, retrieval.ApproximateSearchEf);
        _curve = new ForgettingCurve(_options.Decay);
        _notes.Observer = OnNoteStoreChange;
        var metadata = _embedder.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata;
        _embedderModelId = metadata?.DefaultModelId;
        _embedderDimensions = metadata?.DefaultModelDimensions is > 0 and var d ? d : null;
    }

    /// <inheritdoc />
    public async Task<IngestResult> IngestAsync(IReadOnlyList<TurnInput> turns, CancellationToken cancellationToken = default)
    {
        using var activity = Diagnostics.EngineTelemetry.Start("memoryfabric.engine.ingest");
        ArgumentNullException.ThrowIfNull(turns);
        MemoryInputValidator.ValidateTurns(turns, _options);
        cancellationToken.ThrowIfCancellationRequested();

        var fresh = new List<Turn>();
        var flags = new List<(Turn Turn, string Reason, string Detector)>();
        var stored = new List<string>();
        var duplicates = new List<string>();
        foreach (var input in turns)
        {
            if (input.Id is not null && _turns.ContainsKey(input.Id))
            {
                duplicates.Add(input.Id);
                continue;
            }

            var source = input.Source ?? SourceTrust.FromRole(input.Role);
            var turn = new Turn(
                input.Id ?? "t_" + Guid.NewGuid().ToString("N"),
                input.SessionId,
                input.Speaker.Trim(),
                input.Role,
                input.Text,
                input.Timestamp,
                ++_sequence,
                input.Metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(input.Metadata))
            {
                Source = source,
                Trust = input.Trust ?? SourceTrust.DefaultTrust(source),
            };
            fresh.Add(turn);
            if (ScreenWrite(turn.Text, allowRoleMarkers: turn.Role is TurnRole.Assistant or TurnRole.System) is { } flag)
            {
                flags.Add((turn, flag.Reason, flag.Detector));
            }
            stored.Add(turn.Id);
        }

        // Store first, then embed with the question context known; a failing or cancelled embedder rolls back.
        // Quarantined turns are stored (and journaled) but neither embedded nor indexed.
        var now = _time.GetUtcNow();
        var entries = flags.Select(f => new QuarantineEntry(f.Turn.Id, MemoryItemKind.Turn, f.Turn.Text, f.Reason, f.Detector, now, QuarantineStatus.Flagged)).ToList();
        foreach (var entry in entries)
        {
            _quarantine[entry.ItemId] = entry;
        }

        foreach (var turn in fresh)
        {
            AddTurn(turn);
        }

        var indexed = entries.Count == 0 ? fresh : fresh.Where(t => !IsExcluded(t.Id)).ToList();
        if (_options.DeferEmbedding)
        {
            // Lexically searchable at once; the dense vector is computed later by EmbedPendingAsync.
            foreach (var turn in indexed)
            {
                IndexTurn(turn, TurnIndexText(turn), null);
            }

            foreach (var turn in fresh)
            {
                _changes.Add(new TurnStored(turn));
            }

            AddQuarantineChanges(entries);
            return new IngestResult(stored, duplicates);
        }

        try
        {
            var texts = indexed.Select(TurnIndexText).ToList();
            var vectors = await EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
            var vectorOf = new Dictionary<string, float[]>(StringComparer.Ordinal);
            for (var i = 0; i < indexed.Count; i++)
            {
                IndexTurn(indexed[i], texts[i], vectors[i]);
                vectorOf[indexed[i].Id] = vectors[i];
            }

            foreach (var turn in fresh)
            {
                var vector = vectorOf.GetValueOrDefault(turn.Id);
                _changes.Add(new TurnStored(turn) { DenseVector = vector, EmbeddingModelId = vector is null ? null : _embedderModelId });
            }
        }
        catch
        {
            foreach (var turn in fresh)
            {
                RemoveTurn(turn);
            }

            foreach (var entry in entries)
            {
                _quarantine.Remove(entry.ItemId);
            }

            throw;
        }

        AddQuarantineChanges(entries);
        return new IngestResult(stored, duplicates);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Turn>> GetTurnsAsync(string? sessionId = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<Turn> result = sessionId is null
            ? OrderedTurns().ToList()
            : _sessions.TryGetValue(sessionId, out var list) ? list.ToList() : [];
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Episode>> GetEpisodesAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<Episode> result = _episodes.Values.OrderBy(e => e.Start).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Note>> GetNotesAsync(bool includeInactive = false, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<Note> result = (includeInactive ? _notes.All : _notes.Active)
            .OrderBy(n => n.ValidFrom).ThenBy(n => n.CreatedAt).ThenBy(n => n.Id, StringComparer.Ordinal).ToList();
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public Task<Note?> GetNoteAsync(string noteId, CancellationToken cancellationToken = default)
    {
        MemoryInputException.ThrowIfBlank(noteId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_notes.Get(noteId) ?? _heldNotes.GetValueOrDefault(noteId));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Note>> GetNoteHistoryAsync(string noteId, CancellationToken cancellationToken = default)
    {
        MemoryInputException.ThrowIfBlank(noteId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_notes.History(noteId));
    }

    /// <inheritdoc />
    public async Task<NoteWriteResult> AddNoteAsync(NoteWrite note, CancellationToken cancellationToken = default)
    {
        ValidateNote(note);
        var provenance = new NoteProvenance(note.SourceTurnIds, EpisodeOf(note.SourceTurnIds), "api", "1") { Source = note.Source, Trust = note.Trust };
        if (HoldIfFlagged(note, provenance) is { } held)
        {
            return held;
        }

        // With the guard on, a weak source's claim is kept beside a trusted one instead of superseding it.
        return await WriteNoteAsync(() => _notes.Add(note, provenance, _time.GetUtcNow(), ActiveGuard?.ConsensusStrongTrust), note, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<NoteWriteResult> UpdateNoteAsync(string noteId, NoteWrite note, CancellationToken cancellationToken = default) =>
        UpdateNoteAsync(noteId, note, expectedVersion: null, cancellationToken);

    /// <summary>Writes a new version of an active note if it is still at the version the caller read; the old version
    /// is kept as superseded. The check and the write are one step, so of two writers that read the same version only
    /// the first succeeds.</summary>
    /// <param name="noteId">The current version's id, or a lineage id (the one shared with the first version only
    /// with <paramref name="expectedVersion"/> the current version).</param>
    /// <param name="note">The new content.</param>
    /// <param name="expectedVersion">The version the caller read (the note's ETag); <see langword="null"/> for no check.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="MemoryItemNotFoundException">No note has that id.</exception>
    /// <exception cref="NoteConflictException">The id names a version that is not current, or the current version
    /// is not <paramref name="expectedVersion"/>; nothing is changed.</exception>
    public async Task<NoteWriteResult> UpdateNoteAsync(string noteId, NoteWrite note, int? expectedVersion, CancellationToken cancellationToken = default)
    {
        MemoryInputException.ThrowIfBlank(noteId);
        ValidateNote(note);
        _notes.RequireCurrent(noteId, expectedVersion); // a stale write is refused before anything, the guard's hold included
        var provenance = new NoteProvenance(note.SourceTurnIds, EpisodeOf(note.SourceTurnIds), "api", "1") { Source = note.Source, Trust = note.Trust };
        if (HoldIfFlagged(note, provenance) is { } held)
        {
            return held; // the current version stays as it is
        }

        return await WriteNoteAsync(() => _notes.Update(noteId, note, provenance, _time.GetUtcNow(), expectedVersion), note, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<NoteWriteResult> DeleteNoteAsync(string noteId, CancellationToken cancellationToken = default) =>
        DeleteNoteAsync(noteId, expectedVersion: null, cancellationToken);

    /// <summary>Deletes a note if it is still at the version the caller read: its current version becomes a tombstone,
    /// kept in the history until purged.</summary>
    /// <param name="noteId">The current version's id, or a lineage id (as for
    /// <see cref="UpdateNoteAsync(string, NoteWrite, int?, CancellationToken)"/>).</param>
    /// <param name="expectedVersion">The version the caller read (the note's ETag); <see langword="null"/> for no check.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="MemoryItemNotFoundException">No note has that id.</exception>
    /// <exception cref="NoteConflictException">The id names a version that is not current, or the current version
    /// is not <paramref name="expectedVersion"/>; nothing is changed.</exception>
    public Task<NoteWriteResult> DeleteNoteAsync(string noteId, int? expectedVersion, CancellationToken cancellationToken = default)
    {
        MemoryInputException.ThrowIfBlank(noteId);
        cancellationToken.ThrowIfCancellationRequested();
        var captured = BeginNoteCapture();
        NoteWriteResult result;
        try
        {
            result = _notes.Delete(noteId, _time.GetUtcNow(), expectedVersion);
        }
        finally
        {
            EndNoteCapture(captured, null, null);
        }

        UnindexNote(result.Note.Id);
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public Task<int> PurgeNoteAsync(string noteId, CancellationToken cancellationToken = default)
    {
        MemoryInputException.ThrowIfBlank(noteId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(PurgeNoteVersions(noteId).Count);
    }

    // Removes every version of a note (journaled as NoteVersionsPurged) and its index entries.
    private IReadOnlyList<Note> PurgeNoteVersions(string noteId)
    {
        var captured = BeginNoteCapture();
        IReadOnlyList<Note> removed;
        try
        {
            removed = _notes.Purge(noteId);
        }
        finally
        {
            EndNoteCapture(captured, null, null);
        }

        foreach (var note in removed)
        {
            UnindexNote(note.Id);
        }

        return removed;
    }

    // A note written through the API that the guard flags is held outside the note store (it supersedes nothing and
    // is not indexed) until released; the caller gets it back as added.
    private NoteWriteResult? HoldIfFlagged(NoteWrite note, NoteProvenance provenance)
    {
        if (ScreenWrite(note.Text, allowRoleMarkers: false) is not { } flag)
        {
            return null;
        }

        var id = "n_" + Guid.NewGuid().ToString("N");
        var held = NoteStore.Create(note, provenance, id, id, 1, _time.GetUtcNow());
        _heldNotes[id] = held;
        Flag(id, MemoryItemKind.Note, held.Text, flag.Reason, flag.Detector, held);
        return new NoteWriteResult(NoteOperation.Added, held);
    }

    private void AddQuarantineChanges(List<QuarantineEntry> entries)
    {
        foreach (var entry in entries)
        {
            _changes.Add(new QuarantineChanged(entry));
        }
    }

    private async Task<NoteWriteResult> WriteNoteAsync(Func<NoteWriteResult> write, NoteWrite note, CancellationToken cancellationToken)
    {
        var indexText = NoteIndexText(note);
        float[]? vector = null;
        if (_options.DeferEmbedding)
        {
            cancellationToken.ThrowIfCancellationRequested(); // the note is queued for embedding instead
        }
        else
        {
            vector = (await EmbedAsync([indexText], cancellationToken).ConfigureAwait(false))[0];
        }

        var captured = BeginNoteCapture();
        NoteWriteResult? result = null;
        try
        {
            result = write();
            (indexText, vector) = StoredIndexText(result, indexText, vector);
        }
        finally
        {
            var embedded = result is { Operation: not NoteOperation.NoOp, Note.Status: NoteStatus.Active } ? result.Note.Id : null;
            EndNoteCapture(captured, embedded, vector);
        }

        ApplyToIndexes(result, indexText, vector);
        return result;
    }

    // A null vector queues the note for dense embedding.
    private void ApplyToIndexes(NoteWriteResult result, string indexText, float[]? vector)
    {
        if (result.Previous is not null)
        {
            UnindexNote(result.Previous.Id);
        }

        if (result.Operation != NoteOperation.NoOp && result.Note.Status == NoteStatus.Active)
        {
            (indexText, vector) = StoredIndexText(result, indexText, vector);
            IndexNote(result.Note, indexText, vector);
        }
    }

    // The index text of the version a write stored, and the vector computed for the write's text when it is the same
    // text. A merge stores the union of two notes' sources, whose last turn (quoted with the question it answers) may
    // be the other note's: then the version is indexed with its own text and queued for dense embedding.
    private (string IndexText, float[]? Vector) StoredIndexText(NoteWriteResult result, string indexText, float[]? vector)
    {
        if (result.Operation != NoteOperation.Merged)
        {
            return (indexText, vector);
        }

        var stored = NoteIndexText(result.Note);
        return string.Equals(stored, indexText, StringComparison.Ordinal) ? (indexText, vector) : (stored, null);
    }


    private void ValidateNote(NoteWrite note)
    {
        ArgumentNullException.ThrowIfNull(note);
        SourceTrust.Validate(note.Trust, nameof(note));
        if (!Enum.IsDefined(note.Source))
        {
            throw new MemoryInputException($"Unknown source kind {note.Source}.", nameof(note));
        }

        if (note.Text is { Length: var n } && n > _options.MaxNoteTextLength)
        {
            throw new MemoryInputException($"A note has at most {_options.MaxNoteTextLength} characters; this one has {n}.", nameof(note));
        }

        foreach (var id in note.SourceTurnIds)
        {
            if (!_turns.ContainsKey(id))
            {
                throw new MemoryInputException($"The note names source turn '{id}', which is not stored.", nameof(note));
            }
        }
    }

    private void AddTurn(Turn turn)
    {
        _turns[turn.Id] = turn;
        if (!_sessions.TryGetValue(turn.SessionId, out var list))
        {
            list = [];
            _sessions[turn.SessionId] = list;
        }

        // Keep each session in timestamp order; arrival order breaks ties. Late turns are inserted in place.
        var index = list.Count;
        while (index > 0 && Compare(list[index - 1], turn) > 0)
        {
            index--;
        }

        list.Insert(index, turn);
        _dirtySessions.Add(turn.SessionId);
        if (!_participants.Contains(turn.Speaker, StringComparer.OrdinalIgnoreCase))
        {
            _participants.Add(turn.Speaker);
        }

        _historyCharacters = -1; // the verbatim history changed: measure it again when needed
        _consensusEpoch++;
        TestimonyChanged(turn.Id);
    }

    private void RemoveTurn(Turn turn)
    {
        _turns.Remove(turn.Id);
        TurnLexical.Remove(turn.Id);
        Passages.Remove(turn.Id);
        ForgetAliasesOf(turn);
        _turnDense.Remove(turn.Id);
        NotOffloaded(MemoryItemKind.Turn, turn.Id);
        DenseChanged(MemoryItemKind.Turn, turn.Id, null);
        RemovePending(MemoryItemKind.Turn, turn.Id);
        _sessions[turn.SessionId].Remove(turn);
        if (_sessions[turn.SessionId].Count == 0)
        {
            _sessions.Remove(turn.SessionId);
            _dirtySessions.Remove(turn.SessionId);
        }

        if (!_turns.Values.Any(t => string.Equals(t.Speaker, turn.Speaker, StringComparison.OrdinalIgnoreCase)))
        {
            _participants.RemoveAll(p => string.Equals(p, turn.Speaker, StringComparison.OrdinalIgnoreCase));
        }

        _historyCharacters = -1;
        _consensusEpoch++;
        TestimonyChanged(turn.Id);
    }

    private static readonly Comparer<Turn> TurnOrder = Comparer<Turn>.Create(Compare);

    private static int Compare(Turn a, Turn b)
    {
        var c = a.Timestamp.CompareTo(b.Timestamp);
        return c != 0 ? c : a.Sequence.CompareTo(b.Sequence);
    }

    private IEnumerable<Turn> OrderedTurns() => _turns.Values.OrderBy(t => t.Timestamp).ThenBy(t => t.Sequence);

    private string? EpisodeOf(IReadOnlyList<string> turnIds)
    {
        foreach (var id in turnIds)
        {
            if (_turnEpisode.TryGetValue(id, out var episode))
            {
                return episode;
            }
        }

        return null;
    }

    private Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        EmbedAsync(texts, null, cancellationToken);

    // The options carry the call's priority for a scheduling embedder (Embeddings.EmbeddingPriority): the query path
    // asks as interactive with a queue deadline (Retrieval/QueryVectorSource.cs), background embedding as background.
    private async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        if (texts.Count == 0)
        {
            return [];
        }

        var embeddings = await _embedder.GenerateAsync(texts, options, cancellationToken).ConfigureAwait(false);
        if (embeddings.Count != texts.Count)
        {
            throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} vectors for {texts.Count} texts.");
        }

        var vectors = embeddings.Select(e => e.Vector.ToArray()).ToArray();
        VerifyRestoredDimensions(vectors[0].Length);
        return vectors;
    }

}
