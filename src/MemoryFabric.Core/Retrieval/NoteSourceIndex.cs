using MemoryFabric.Notes;

namespace MemoryFabric.Retrieval;

/// <summary>
/// The note versions that cite each turn as a source (every version, whatever its status), so that a turn can take
/// the state of the notes drawn from it (<see cref="ItemStatusResolver"/>). Kept up to date from the note store's
/// changes (<see cref="OnChanged"/>) and built again, lazily, for a store it has not seen (a restored snapshot).
/// Not thread-safe: the owning actor gives it one call at a time.
/// </summary>
internal sealed class NoteSourceIndex
{
    private readonly Dictionary<string, HashSet<string>> _notesByTurn = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _turnsByNote = new(StringComparer.Ordinal);
    private NoteStore? _store;

    /// <summary>Records a version stored, replaced (<paramref name="removed"/> false) or purged (true) by the store
    /// the index was built for.</summary>
    /// <param name="note">The version as it is now.</param>
    /// <param name="removed">Whether it was purged.</param>
    public void OnChanged(Note note, bool removed)
    {
        if (_store is null)
        {
            return; // built on first use
        }

        Remove(note.Id);
        if (!removed)
        {
            Add(note);
        }
    }

    /// <summary>The ids of the note versions of <paramref name="store"/> that cite a turn.</summary>
    /// <param name="store">The agent's note store.</param>
    /// <param name="turnId">The turn id.</param>
    /// <returns>The version ids; empty when none.</returns>
    public IReadOnlyCollection<string> NotesCiting(NoteStore store, string turnId)
    {
        Ensure(store);
        return _notesByTurn.TryGetValue(turnId, out var notes) ? notes : [];
    }

    private void Ensure(NoteStore store)
    {
        if (ReferenceEquals(store, _store))
        {
            return;
        }

        _notesByTurn.Clear();
        _turnsByNote.Clear();
        foreach (var note in store.All)
        {
            Add(note);
        }

        _store = store;
    }

    private void Add(Note note)
    {
        var turns = note.Provenance?.TurnIds ?? [];
        if (turns.Count == 0)
        {
            return;
        }

        _turnsByNote[note.Id] = turns;
        foreach (var turnId in turns)
        {
            if (!_notesByTurn.TryGetValue(turnId, out var notes))
            {
                notes = new HashSet<string>(StringComparer.Ordinal);
                _notesByTurn[turnId] = notes;
            }

            notes.Add(note.Id);
        }
    }

    private void Remove(string noteId)
    {
        if (!_turnsByNote.Remove(noteId, out var turns))
        {
            return;
        }

        foreach (var turnId in turns)
        {
            if (_notesByTurn.TryGetValue(turnId, out var notes) && notes.Remove(noteId) && notes.Count == 0)
            {
                _notesByTurn.Remove(turnId);
            }
        }
    }
}
