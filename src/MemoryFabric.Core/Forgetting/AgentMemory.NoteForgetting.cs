using MemoryFabric.Api;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;

namespace MemoryFabric;

// Forgetting a note for good, and with it, on request, the turns it was drawn from.
public sealed partial class AgentMemory
{
    /// <summary>Removes every version of a note for good and, with <paramref name="forgetSources"/>, forgets the turns
    /// any of its versions was drawn from (<see cref="ForgetTurnsAsync"/>: each turn removed, redacted from its episode,
    /// the other notes drawn only from it removed and the rest stripped of it), all in one step.</summary>
    /// <param name="noteId">Any version id or the lineage id.</param>
    /// <param name="forgetSources">Whether to forget the note's source turns too.</param>
    /// <param name="expectedVersion">The version the caller read (the note's ETag): the note's current version must
    /// still be it; <see langword="null"/> for no check.</param>
    /// <param name="cancellationToken">Cancels the call before anything is changed.</param>
    /// <returns>What was removed; <see cref="PurgeResult.Purged"/> is 0 (and nothing is done) when the note is unknown.</returns>
    /// <exception cref="NoteConflictException">The note's current version is not <paramref name="expectedVersion"/>;
    /// nothing is changed.</exception>
    /// <remarks>The change feed gets the <see cref="NoteVersionsPurged"/> of the note, then one
    /// <see cref="TurnsForgotten"/> for the turns (ids only), as if the two calls had been made in turn.</remarks>
    public Task<PurgeResult> ForgetNoteAsync(string noteId, bool forgetSources, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        MemoryInputException.ThrowIfBlank(noteId);
        cancellationToken.ThrowIfCancellationRequested();
        if (_notes.CurrentOf(noteId) is not { } current)
        {
            return Task.FromResult(new PurgeResult(0));
        }

        if (expectedVersion is { } expected && current.Version != expected)
        {
            throw new NoteConflictException(
                $"Note '{noteId}' is at version {current.Version} (id '{current.Id}'), not {expected}: it changed since it was read. Nothing was removed.",
                NoteConflictKind.VersionMismatch, noteId, current, expected);
        }

        var sources = forgetSources
            ? _notes.History(noteId).SelectMany(v => v.Provenance.TurnIds).Distinct(StringComparer.Ordinal).Where(_turns.ContainsKey).ToList()
            : [];
        var removed = PurgeNoteVersions(noteId);
        Conversation.TurnForgetResult? forgotten = null;
        if (forgetSources)
        {
            forgotten = Forget(sources);
            if (forgotten.ForgottenTurnIds.Count > 0)
            {
                _changes.Add(new TurnsForgotten(forgotten.ForgottenTurnIds));
            }
        }

        return Task.FromResult(new PurgeResult(removed.Count)
        {
            PurgedNoteIds = removed.Select(n => n.Id).ToList(),
            Sources = forgotten,
        });
    }
}
