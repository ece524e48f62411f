using System.Diagnostics;
using MemoryFabric.Conversation;
using MemoryFabric.Extraction;
using MemoryFabric.Notes;
using MemoryFabric.Segmentation;
using MemoryFabric.Text;

namespace MemoryFabric;

// Consolidation: segment → extract → merge and reconsolidate → link → decay.
public sealed partial class AgentMemory
{
    /// <summary>The most links a note keeps.</summary>
    private const int MaxLinksPerNote = 5;

    /// <inheritdoc />
    public async Task<ConsolidationReport> ConsolidateAsync(CancellationToken cancellationToken = default)
    {
        using var activity = Diagnostics.EngineTelemetry.Start("memoryfabric.engine.consolidate");
        var stopwatch = Stopwatch.StartNew();
        var sessions = _dirtySessions.Where(_sessions.ContainsKey).OrderBy(s => _sessions[s][0].Timestamp).ToList();
        var pending = new List<Episode>();
        foreach (var sessionId in sessions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            pending.AddRange(await SegmentSessionAsync(sessionId, cancellationToken).ConfigureAwait(false));
            _dirtySessions.Remove(sessionId);
        }

        int added = 0, unchanged = 0, superseded = 0;
        foreach (var episode in pending.OrderBy(e => e.Start))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var turns = episode.TurnIds.Select(id => _turns[id]).ToList();
            var proposals = await _extractor.ExtractAsync(new NoteExtractionContext(episode, turns, _participants.ToList()), cancellationToken).ConfigureAwait(false);
            // Extracted notes are screened like written ones (a chat model may carry an instruction over): a flagged
            // one is held in the quarantine instead of entering the note store. A reviewer's release of a source turn
            // stands for the notes drawn from it.
            var valid = proposals.Where(p => IsValidProposal(p, episode))
                .Select(p => (Write: p, Provenance: ExtractedProvenance(p, episode)))
                .Where(p => p.Write.SourceTurnIds.Any(IsReleased) || HoldIfFlagged(p.Write, p.Provenance) is null)
                .ToList();
            var texts = valid.Select(p => NoteIndexText(p.Write)).ToList();
            var vectors = await EmbedUnlessDeferredAsync(texts, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < valid.Count; i++)
            {
                var result = _notes.Add(valid[i].Write, valid[i].Provenance, _time.GetUtcNow(), ActiveGuard?.ConsensusStrongTrust);
                ApplyToIndexes(result, texts[i], vectors[i]);
                switch (result.Operation)
                {
                    case NoteOperation.Added: added++; break;
                    case NoteOperation.Superseded: superseded++; break;
                    default: unchanged++; break;
                }
            }

            _extractedEpisodes.Add(ExtractionKey(episode));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var links = RefreshLinks();
        var archived = ApplyDecay();
        return new ConsolidationReport
        {
            SessionsSegmented = sessions.Count,
            Episodes = _episodes.Count,
            EpisodesExtracted = pending.Count,
            NotesAdded = added,
            NotesUnchanged = unchanged,
            NotesSuperseded = superseded,
            Links = links,
            NotesArchived = archived,
            Duration = stopwatch.Elapsed,
        };
    }

    // Re-segments a session; returns the episodes that are new (not extracted before).
    private async Task<List<Episode>> SegmentSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        var turns = _quarantine.Count == 0 ? _sessions[sessionId] : _sessions[sessionId].Where(t => !IsExcluded(t.Id)).ToList();
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var turn in turns)
        {
            foreach (var term in TextAnalyzer.Terms(turn.Text).Distinct(StringComparer.Ordinal))
            {
                df[term] = df.GetValueOrDefault(term) + 1;
            }
        }

        var episodes = _segmenter.Segment(turns).Select(s => EpisodeBuilder.Build(s, df, turns.Count)).ToList();
        var vectors = await EmbedUnlessDeferredAsync(episodes.Select(EpisodeIndexText).ToList(), cancellationToken).ConfigureAwait(false);

        if (_sessionEpisodes.TryGetValue(sessionId, out var old))
        {
            foreach (var id in old)
            {
                _episodes.Remove(id);
                UnindexEpisode(id);
            }
        }

        var fresh = new List<Episode>();
        for (var i = 0; i < episodes.Count; i++)
        {
            var episode = episodes[i];
            _episodes[episode.Id] = episode;
            IndexEpisode(episode, vectors[i]);
            if (!_extractedEpisodes.Contains(ExtractionKey(episode)))
            {
                fresh.Add(episode);
            }
        }

        _sessionEpisodes[sessionId] = episodes.Select(e => e.Id).ToList();
        return fresh;
    }

    // An extracted note's provenance: the source kind of its first source turn, the lowest trust of its source turns.
    private NoteProvenance ExtractedProvenance(NoteWrite proposal, Episode episode)
    {
        var source = SourceKind.UserStated;
        var trust = 1.0;
        var first = true;
        foreach (var id in proposal.SourceTurnIds)
        {
            if (_turns.TryGetValue(id, out var turn))
            {
                if (first)
                {
                    source = turn.Source;
                    first = false;
                }

                trust = Math.Min(trust, turn.Trust);
            }
        }

        return new NoteProvenance(proposal.SourceTurnIds, episode.Id, _extractor.Name, _extractor.Version)
        {
            Source = source,
            Trust = first ? SourceTrust.DefaultTrust(source) : trust,
        };
    }

    // With DeferEmbedding, what consolidation creates is queued like everything else (null vectors), so a
    // consolidation never waits on the embedder and the host drains the queue at its own pace.
    private async Task<float[]?[]> EmbedUnlessDeferredAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (_options.DeferEmbedding)
        {
            return new float[]?[texts.Count];
        }

        return await EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
    }

    // An episode whose turns changed gets extracted again; notes already stored come back as no-ops.
    private static string ExtractionKey(Episode episode) => episode.Id + "#" + episode.TurnIds.Count;

    private bool IsValidProposal(NoteWrite proposal, Episode episode) =>
        !string.IsNullOrWhiteSpace(proposal.Text)
        && proposal.Text.Length <= _options.MaxNoteTextLength
        && !string.IsNullOrWhiteSpace(proposal.Subject)
        && proposal.SourceTurnIds.Count > 0
        && proposal.SourceTurnIds.All(id => episode.TurnIds.Contains(id, StringComparer.Ordinal));

    // Links notes that share a rare entity or many terms; bounded per note so consolidation stays linear-ish.
    private int RefreshLinks()
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

        var total = 0;
        foreach (var note in active)
        {
            var scores = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var entity in note.Entities)
            {
                if (!byEntity.TryGetValue(entity, out var related) || related.Count > 50)
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

            total += links.Count;
        }

        return total;
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
