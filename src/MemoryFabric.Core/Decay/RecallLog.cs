using MemoryFabric.Notes;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Decay;

/// <summary>Recall reinforcement of the notes a context includes, and the log of the notes reinforced since the host
/// last saved them: a read only updates recall statistics, so a host persists them as one small
/// <see cref="NotesRecalled"/> record (or in its next snapshot) instead of rewriting the agent's whole state.</summary>
internal sealed class RecallLog
{
    private readonly HashSet<string> _recalled = new(StringComparer.Ordinal);

    /// <summary>The number of notes reinforced since the last <see cref="Drain"/>.</summary>
    public int Count => _recalled.Count;

    /// <summary>Reinforces the active notes among a context's items (<see cref="ForgettingCurve.Reinforce"/>) and
    /// logs them.</summary>
    /// <param name="notes">The note store.</param>
    /// <param name="items">The context's items.</param>
    /// <param name="now">The time of the recall.</param>
    public void Reinforce(NoteStore notes, IReadOnlyList<ContextItem> items, DateTimeOffset now)
    {
        foreach (var item in items)
        {
            if (item.Kind == MemoryItemKind.Note && notes.Get(item.Id) is { Status: NoteStatus.Active } note)
            {
                notes.Replace(ForgettingCurve.Reinforce(note, now));
                _recalled.Add(note.Id);
            }
        }
    }

    /// <summary>The recall state of the logged notes still stored, as one change, and clears the log.</summary>
    /// <param name="notes">The note store.</param>
    /// <returns>The change; <see langword="null"/> when no stored note was recalled.</returns>
    public NotesRecalled? Drain(NoteStore notes)
    {
        if (_recalled.Count == 0)
        {
            return null;
        }

        var recalls = new List<NoteRecall>(_recalled.Count);
        foreach (var id in _recalled.Order(StringComparer.Ordinal))
        {
            if (notes.Get(id) is { } note)
            {
                recalls.Add(new NoteRecall(note.Id, note.RecallCount, note.LastRecalledAt, note.Strength));
            }
        }

        _recalled.Clear();
        return recalls.Count == 0 ? null : new NotesRecalled(recalls);
    }

    /// <summary>Replays a <see cref="NotesRecalled"/>: sets the recall state of the notes still stored.</summary>
    /// <param name="notes">The note store.</param>
    /// <param name="change">The change.</param>
    public static void Apply(NoteStore notes, NotesRecalled change)
    {
        foreach (var recall in change.Notes)
        {
            if (recall is not null && notes.Get(recall.NoteId) is { } note)
            {
                notes.Replace(note with { RecallCount = recall.RecallCount, LastRecalledAt = recall.LastRecalledAt, Strength = recall.Strength });
            }
        }
    }
}
