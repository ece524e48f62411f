using MemoryFabric.Conversation;
using MemoryFabric.Forgetting;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;

namespace MemoryFabric;

// Forgetting turns: TurnForgetter plans, this applies the plan to the stores and indexes.
public sealed partial class AgentMemory
{
    /// <inheritdoc />
    /// <remarks>The change feed gets one <see cref="TurnsForgotten"/> (ids only), which replay applies again. Items
    /// whose index text changed (rebuilt episodes, the turn after a forgotten question, redacted notes) are lexically
    /// indexed at once and queued for <see cref="EmbedPendingAsync"/>. A guard lesson distilled from a forgotten turn
    /// is removed with it (its trigger terms came from the turn's text).</remarks>
    public Task<TurnForgetResult> ForgetTurnsAsync(IReadOnlyList<string> turnIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turnIds);
        if (turnIds.Count is 0 or > TurnForgetResult.MaxTurnIds)
        {
            throw new MemoryInputException($"Forget 1 to {TurnForgetResult.MaxTurnIds} turns at a time; {turnIds.Count} were given.", nameof(turnIds));
        }

        foreach (var id in turnIds)
        {
            MemoryInputException.ThrowIfBlank(id, nameof(turnIds));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var result = Forget(turnIds);
        if (result.ForgottenTurnIds.Count > 0)
        {
            _changes.Add(new TurnsForgotten(result.ForgottenTurnIds));
        }

        return Task.FromResult(result);
    }

    private TurnForgetResult Forget(IReadOnlyList<string> turnIds)
    {
        var plan = TurnForgetter.Plan(turnIds, _turns, _sessions, _episodes.Values, _notes.All, _heldNotes.Values, IsExcluded);
        if (plan.Turns.Count == 0)
        {
            return new TurnForgetResult([], plan.UnknownTurnIds, [], [], [], []);
        }

        var forgotten = plan.Turns.Select(t => t.Id).ToList();
        foreach (var turn in plan.Turns)
        {
            RemoveTurn(turn);
            _turnEpisode.Remove(turn.Id);
            ForgetGuardState(turn.Id);
        }

        var rebuilt = new List<string>();
        var removedEpisodes = new List<string>();
        foreach (var (old, episode) in plan.Episodes)
        {
            UnindexEpisode(old.Id);
            var extracted = _extractedEpisodes.Remove(ExtractionKey(old));
            if (episode is null)
            {
                _episodes.Remove(old.Id);
                _quarantine.Remove(old.Id);
                if (_sessionEpisodes.TryGetValue(old.SessionId, out var ids) && ids.Remove(old.Id) && ids.Count == 0)
                {
                    _sessionEpisodes.Remove(old.SessionId);
                }

                removedEpisodes.Add(old.Id);
                continue;
            }

            _episodes[old.Id] = episode;
            if (extracted)
            {
                _extractedEpisodes.Add(ExtractionKey(episode)); // what remains was extracted already
            }

            if (_quarantine.TryGetValue(old.Id, out var entry))
            {
                _quarantine[old.Id] = entry with { Text = episode.Summary };
            }

            IndexEpisode(episode, null);
            rebuilt.Add(old.Id);
        }

        var purged = RemoveNoteVersions(plan);
        foreach (var held in plan.RemovedHeldNotes)
        {
            _heldNotes.Remove(held.Id);
            _quarantine.Remove(held.Id);
            purged.Add(held.Id);
        }

        foreach (var held in plan.RedactedHeldNotes)
        {
            _heldNotes[held.Id] = held;
        }

        ReindexAfterForget(plan);
        return new TurnForgetResult(
            forgotten,
            plan.UnknownTurnIds,
            purged,
            plan.RedactedNotes.Select(n => n.Id).Concat(plan.RedactedHeldNotes.Select(n => n.Id)).ToList(),
            rebuilt,
            removedEpisodes);
    }

    // Removes the versions drawn only from forgotten turns (the rest of their lineage stays, in order) and swaps in
    // the redacted versions; returns the removed ids.
    private List<string> RemoveNoteVersions(TurnForgetPlan plan)
    {
        var removed = new HashSet<string>(plan.RemovedNotes.Select(n => n.Id), StringComparer.Ordinal);
        var redacted = plan.RedactedNotes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var purged = new List<string>();
        foreach (var lineage in plan.RemovedNotes.Select(n => n.LineageId).Distinct(StringComparer.Ordinal))
        {
            var history = _notes.History(lineage);
            foreach (var version in _notes.Purge(lineage))
            {
                UnindexNote(version.Id);
            }

            foreach (var version in history)
            {
                if (removed.Contains(version.Id))
                {
                    _quarantine.Remove(version.Id);
                    purged.Add(version.Id);
                }
                else
                {
                    _notes.Restore(redacted.Remove(version.Id, out var stripped) ? stripped : version);
                    ReindexNote(version.Id);
                }
            }
        }

        foreach (var note in redacted.Values)
        {
            _notes.Replace(note);
        }

        return purged;
    }

    private void ReindexAfterForget(TurnForgetPlan plan)
    {
        var followers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var turn in plan.Followers)
        {
            if (_turns.ContainsKey(turn.Id) && !IsExcluded(turn.Id))
            {
                IndexTurn(turn, TurnIndexText(turn), null);
                followers.Add(turn.Id);
            }
        }

        // A note is indexed with the question its last source turn answers; redacted notes lost sources.
        var notes = new HashSet<string>(plan.RedactedNotes.Select(n => n.Id), StringComparer.Ordinal);
        if (followers.Count > 0)
        {
            notes.UnionWith(_notes.Active.Where(n => n.Provenance.TurnIds.Count > 0 && followers.Contains(n.Provenance.TurnIds[^1])).Select(n => n.Id));
        }

        foreach (var id in notes)
        {
            ReindexNote(id);
        }
    }

    private void ReindexNote(string noteId)
    {
        UnindexNote(noteId);
        if (_notes.Get(noteId) is { Status: NoteStatus.Active } note && string.Equals(note.Id, noteId, StringComparison.Ordinal))
        {
            IndexNote(note, NoteIndexText(note), null);
        }
    }

    // The turn's quarantine entry (it holds the text) and the lessons distilled from it (their terms came from it).
    private void ForgetGuardState(string turnId)
    {
        _quarantine.Remove(turnId);
        foreach (var lesson in _lessons.Values.Where(l => string.Equals(l.SourceItemId, turnId, StringComparison.Ordinal)).ToList())
        {
            _lessons.Remove(lesson.Id);
        }
    }
}
