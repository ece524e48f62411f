using System.Diagnostics;
using MemoryFabric.Consolidation;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;

namespace MemoryFabric;

// Consolidation: capture → plan (segment, extract, embed: Consolidation/ConsolidationPlanner, off the memory) →
// apply (merge and reconsolidate → link → decay).
public sealed partial class AgentMemory
{
    /// <summary>The most links a note keeps.</summary>
    private const int MaxLinksPerNote = 5;

    private ConsolidationPlanner? _planner;

    /// <summary>The sessions that have turns not consolidated yet (new turns, forgotten or released ones); a live view
    /// of the memory (copy it before changing the memory).</summary>
    public IReadOnlyCollection<string> UnconsolidatedSessions => _dirtySessions;

    /// <inheritdoc />
    /// <remarks>Runs <see cref="CaptureConsolidation"/>, <see cref="PlanConsolidationAsync"/> and
    /// <see cref="ApplyConsolidation(ConsolidationPlan)"/> in a row: nothing changes until the plan is complete, so a
    /// cancelled or failed consolidation (an extractor or embedder error) leaves the memory as it was.</remarks>
    public async Task<ConsolidationReport> ConsolidateAsync(CancellationToken cancellationToken = default)
    {
        using var activity = Diagnostics.EngineTelemetry.Start("memoryfabric.engine.consolidate");
        var stopwatch = Stopwatch.StartNew();
        var plan = await PlanConsolidationAsync(CaptureConsolidation(), cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return ApplyConsolidation(plan) with { Duration = stopwatch.Elapsed };
    }

    /// <summary>
    /// Captures what a consolidation works on, in one short step: copies of the sessions with turns not consolidated
    /// yet (<see cref="UnconsolidatedSessions"/>), the participants and the episodes already extracted. A host that
    /// must not block reads while consolidating calls this in the memory's turn, plans on another thread with
    /// <see cref="PlanConsolidationAsync"/> while the memory serves other calls, and applies the plan in a later turn
    /// with <see cref="ApplyConsolidation(ConsolidationPlan, TimeSpan)"/>.
    /// </summary>
    /// <param name="sessionIds">Only these sessions (those of them with turns not consolidated yet), or all when
    /// <see langword="null"/>.</param>
    /// <returns>The input of <see cref="PlanConsolidationAsync"/>.</returns>
    public ConsolidationInput CaptureConsolidation(IReadOnlyCollection<string>? sessionIds = null)
    {
        var sessions = new List<SessionInput>();
        foreach (var sessionId in _dirtySessions)
        {
            if (_sessions.TryGetValue(sessionId, out var turns) && (sessionIds is null || sessionIds.Contains(sessionId)))
            {
                IReadOnlySet<string> excluded = _quarantine.Count == 0
                    ? EmptySet
                    : turns.Where(t => IsExcluded(t.Id)).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
                sessions.Add(new SessionInput(sessionId, turns.ToArray(), excluded));
            }
        }

        IReadOnlyList<SessionInput> ordered = sessions.OrderBy(s => s.Turns[0].Timestamp).ToList(); // stable: ties keep their order
        IReadOnlySet<string> extracted = sessions.Count == 0 ? EmptySet : new HashSet<string>(_extractedEpisodes, StringComparer.Ordinal);
        _planner ??= new ConsolidationPlanner(_segmenter, _extractor, _options.DeferEmbedding ? null : _embedder, _options.MaxNoteTextLength);
        return new ConsolidationInput(this, ordered, _participants.ToArray(), extracted);
    }

    /// <summary>
    /// Plans a consolidation: segments the captured sessions into episodes, extracts notes from the episodes not
    /// extracted before and embeds both (unless <see cref="AgentMemoryOptions.DeferEmbedding"/>). It reads only
    /// <paramref name="input"/>, never the memory, so it may run on any thread while the memory serves other calls
    /// (ingest, search, context, edits, forgetting); nothing changes until <see cref="ApplyConsolidation(ConsolidationPlan, TimeSpan)"/>.
    /// </summary>
    /// <param name="input">What <see cref="CaptureConsolidation"/> captured from this memory.</param>
    /// <param name="cancellationToken">Cancels planning.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentException">The input was captured from another memory.</exception>
    public async Task<ConsolidationPlan> PlanConsolidationAsync(ConsolidationInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!ReferenceEquals(input.Owner, this) || _planner is not { } planner)
        {
            throw new ArgumentException("The input was captured from another memory.", nameof(input));
        }

        using var activity = Diagnostics.EngineTelemetry.Start("memoryfabric.engine.consolidate.plan");
        return await planner.PlanAsync(input, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies a plan: replaces the segmented sessions' episodes, merges the proposed notes into the note store
    /// (duplicates are no-ops, contradictions supersede, flagged ones are held in the quarantine), refreshes the links
    /// and applies decay. What changed since the capture is respected: a session that lost a turn (forgotten) or had
    /// one quarantined meanwhile is left out of the plan and consolidated next time, so a forgotten turn yields no
    /// note; a session that received turns meanwhile keeps them unconsolidated for next time; the merge sees the notes
    /// as they are now (edits included).
    /// </summary>
    /// <param name="plan">A plan of this memory, not applied before.</param>
    /// <returns>What the consolidation did; <see cref="ConsolidationReport.Duration"/> is the planning time.</returns>
    /// <exception cref="ArgumentException">The plan was made for another memory.</exception>
    /// <exception cref="InvalidOperationException">The plan was applied before.</exception>
    public ConsolidationReport ApplyConsolidation(ConsolidationPlan plan) => ApplyConsolidation(plan, Timeout.InfiniteTimeSpan)!;

    /// <summary>
    /// Applies a plan a step at a time, each call doing at most about <paramref name="budget"/> of work (at least one
    /// item: a session's episodes, one episode's notes, the links, the decay), so that a host can serve other calls
    /// between the steps: call again until it returns the report. Each step first drops the sessions that lost a turn
    /// or had one quarantined since the previous step (their remaining notes are not added; they stay
    /// unconsolidated); sessions leave <see cref="UnconsolidatedSessions"/> only with the last step, so state saved
    /// between steps (a snapshot) is consistent: what was not applied yet is consolidated again.
    /// </summary>
    /// <param name="plan">A plan of this memory, partly applied by earlier calls or not at all.</param>
    /// <param name="budget">The time one call may take, or <see cref="Timeout.InfiniteTimeSpan"/> for all at once.</param>
    /// <returns>The report once the plan is applied; <see langword="null"/> while steps remain.</returns>
    /// <exception cref="ArgumentException">The plan was made for another memory.</exception>
    /// <exception cref="InvalidOperationException">The plan was applied before.</exception>
    public ConsolidationReport? ApplyConsolidation(ConsolidationPlan plan, TimeSpan budget)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!ReferenceEquals(plan.Owner, this))
        {
            throw new ArgumentException("The plan was made for another memory.", nameof(plan));
        }

        if (plan.Stage == ConsolidationPlan.ApplyStage.Done)
        {
            throw new InvalidOperationException("The plan was applied before.");
        }

        using var activity = Diagnostics.EngineTelemetry.Start("memoryfabric.engine.consolidate.apply");
        var deadline = budget == Timeout.InfiniteTimeSpan ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency);
        plan.Applied.RemoveWhere(id => !IsCurrent(plan.Session(id), out _)); // changed between the steps

        while (true)
        {
            switch (plan.Stage)
            {
                case ConsolidationPlan.ApplyStage.Sessions when plan.Next < plan.Sessions.Count:
                    var session = plan.Sessions[plan.Next++];
                    if (IsCurrent(session, out _))
                    {
                        ReplaceEpisodes(session);
                        plan.Applied.Add(session.SessionId);
                    }

                    break;
                case ConsolidationPlan.ApplyStage.Extractions when plan.Next < plan.Extractions.Count:
                    ApplyExtraction(plan, plan.Extractions[plan.Next++]);
                    break;
                case ConsolidationPlan.ApplyStage.Links when plan.LinkIndex is null:
                    plan.LinkIndex = IndexLinks();
                    break;
                case ConsolidationPlan.ApplyStage.Links when plan.Next < plan.LinkIndex.Active.Count:
                    plan.Links += RefreshLinks(plan.LinkIndex, plan.LinkIndex.Active[plan.Next++]);
                    break;
                case ConsolidationPlan.ApplyStage.Decay:
                    plan.Archived = ApplyDecay();
                    plan.NextStage();
                    break;
                case ConsolidationPlan.ApplyStage.Finish:
                    foreach (var id in plan.Applied)
                    {
                        if (IsCurrent(plan.Session(id), out var complete) && complete)
                        {
                            _dirtySessions.Remove(id); // nothing arrived meanwhile
                        }
                    }

                    plan.NextStage();
                    return new ConsolidationReport
                    {
                        SessionsSegmented = plan.Applied.Count,
                        Episodes = _episodes.Count,
                        EpisodesExtracted = plan.Extracted,
                        NotesAdded = plan.Added,
                        NotesUnchanged = plan.Unchanged,
                        NotesSuperseded = plan.Superseded,
                        Links = plan.Links,
                        NotesArchived = plan.Archived,
                        Duration = plan.Duration,
                    };
                default:
                    plan.NextStage(); // the sessions, the extractions or the links are done
                    continue;
            }

            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return null;
            }
        }
    }

    // Merges one episode's proposals (a session dropped, or an episode extracted meanwhile, adds nothing).
    private void ApplyExtraction(ConsolidationPlan plan, PlannedExtraction extraction)
    {
        var episode = extraction.Episode;
        var key = ConsolidationPlanner.ExtractionKey(episode);
        if (!plan.Applied.Contains(episode.SessionId) || _extractedEpisodes.Contains(key))
        {
            return;
        }

        // Extracted notes are screened like written ones (a chat model may carry an instruction over): a flagged
        // one is held in the quarantine instead of entering the note store. A reviewer's release of a source turn
        // stands for the notes drawn from it.
        var valid = extraction.Notes.Where(n => n.Write.SourceTurnIds.Any(IsReleased) || HoldIfFlagged(n.Write, n.Provenance) is null).ToList();
        foreach (var note in valid)
        {
            var indexText = NoteIndexText(note.Write);
            var vector = note.Vector is { } v && AcceptsPlannedVector(v, _noteDense) && string.Equals(indexText, note.IndexText, StringComparison.Ordinal) ? v : null;
            var result = _notes.Add(note.Write, note.Provenance, _time.GetUtcNow(), ActiveGuard?.ConsensusStrongTrust);
            ApplyToIndexes(result, indexText, vector);
            switch (result.Operation)
            {
                case NoteOperation.Added: plan.Added++; break;
                case NoteOperation.Superseded: plan.Superseded++; break;
                default: plan.Unchanged++; break;
            }
        }

        _extractedEpisodes.Add(key);
        plan.Extracted++;
    }

    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();

    // Whether a planned session still holds every turn it was segmented from, none of them quarantined since (the
    // same turn objects: a turn forgotten and written again under its id is another turn); complete when it holds no
    // other turn outside the quarantine either (none arrived or was released meanwhile).
    private bool IsCurrent(PlannedSession planned, out bool complete)
    {
        complete = false;
        if (!_sessions.TryGetValue(planned.SessionId, out var current))
        {
            return false;
        }

        foreach (var turn in planned.Turns)
        {
            if (!_turns.TryGetValue(turn.Id, out var stored) || !ReferenceEquals(stored, turn) || IsExcluded(turn.Id))
            {
                return false;
            }
        }

        var included = _quarantine.Count == 0 ? current.Count : current.Count(t => !IsExcluded(t.Id));
        complete = included == planned.Turns.Count;
        return true;
    }

    // The session's episodes become the planned ones.
    private void ReplaceEpisodes(PlannedSession session)
    {
        var vectors = session.Vectors;
        if (vectors.FirstOrDefault(v => v is not null) is { } first && !AcceptsPlannedVector(first, _episodeDense))
        {
            vectors = new float[]?[vectors.Count];
        }

        if (_sessionEpisodes.TryGetValue(session.SessionId, out var old))
        {
            foreach (var id in old)
            {
                _episodes.Remove(id);
                UnindexEpisode(id);
            }
        }

        for (var i = 0; i < session.Episodes.Count; i++)
        {
            var episode = session.Episodes[i];
            _episodes[episode.Id] = episode;
            IndexEpisode(episode, vectors[i]);
        }

        _sessionEpisodes[session.SessionId] = session.Episodes.Select(e => e.Id).ToList();
    }

    // A vector the planner computed fits the dense index (the dimension check EmbedAsync does on the write path:
    // restored vectors the embedder could not confirm are dropped when the first new vectors disagree).
    private bool AcceptsPlannedVector(float[] vector, Retrieval.TieredVectorIndex index)
    {
        VerifyRestoredDimensions(vector.Length);
        var indexed = index.Dimensions;
        return indexed == 0 || indexed == vector.Length;
    }

    // An episode whose turns changed gets extracted again; notes already stored come back as no-ops.
    private static string ExtractionKey(Episode episode) => ConsolidationPlanner.ExtractionKey(episode);

    // Links notes that share a rare entity; bounded per note so consolidation stays linear-ish. First the active notes
    // by entity, then each note's links (one step each, see ApplyConsolidation).
    private LinkIndex IndexLinks()
    {
        var active = _notes.Active.ToList();
        var participants = new HashSet<string>(_participants, StringComparer.OrdinalIgnoreCase);
        var byEntity = new Dictionary<string, List<Note>>(StringComparer.OrdinalIgnoreCase);
        foreach (var note in active)
        {
            foreach (var entity in note.Entities)
            {
                if (participants.Contains(entity) || entity.All(char.IsDigit))
                {
                    continue; // a participant or a year is on too many notes to mean a relation
                }

                if (!byEntity.TryGetValue(entity, out var list))
                {
                    list = [];
                    byEntity[entity] = list;
                }

                list.Add(note);
            }
        }

        return new LinkIndex(active, byEntity);
    }

    // The note's links (the lineages sharing its rarest entities); a note changed since the index was built (written
    // between two steps) keeps its links until the next consolidation. Returns how many links it has.
    private int RefreshLinks(LinkIndex index, Note note)
    {
        if (!ReferenceEquals(_notes.Get(note.Id), note))
        {
            return 0;
        }

        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var entity in note.Entities)
        {
            if (!index.ByEntity.TryGetValue(entity, out var related) || related.Count > 50)
            {
                continue; // an entity on everything links nothing
            }

            foreach (var other in related)
            {
                if (other.LineageId != note.LineageId)
                {
                    scores[other.LineageId] = scores.GetValueOrDefault(other.LineageId) + (1.0 / related.Count);
                }
            }
        }

        var links = scores.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(MaxLinksPerNote).Select(kv => kv.Key).ToList();
        if (!links.SequenceEqual(note.Links))
        {
            _notes.Replace(note with { Links = links });
        }

        return links.Count;
    }

    private int ApplyDecay()
    {
        var now = _time.GetUtcNow();
        var archived = 0;
        foreach (var note in _notes.Active.ToList())
        {
            if (_curve.StrengthAt(note, now) < _curve.ArchiveThreshold)
            {
                _notes.Replace(note with { Status = NoteStatus.Archived, Strength = _curve.StrengthAt(note, now) });
                UnindexNote(note.Id);
                archived++;
            }
        }

        return archived;
    }
}
