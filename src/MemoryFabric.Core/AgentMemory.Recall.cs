using MemoryFabric.Decay;
using MemoryFabric.Persistence;

namespace MemoryFabric;

// Recall reinforcement's bookkeeping (the work is in RecallLog): what a read changed, for the host to save cheaply.
public sealed partial class AgentMemory
{
    private readonly RecallLog _recalls = new();

    /// <summary>The number of notes that contexts reinforced since the last <see cref="DrainRecalls"/>.</summary>
    public int PendingRecallCount => _recalls.Count;

    /// <summary>
    /// Returns the recall state of the notes that <see cref="GetContextAsync"/> reinforced since the last call, and
    /// forgets them. Recall reinforcement is the only state a read changes and is not in the change feed
    /// (<see cref="DrainChanges"/>): a host journals this one small change (with <see cref="MemoryChangeCodec"/>;
    /// replayed with <see cref="ApplyChanges"/>) when it has nothing else to save, or discards it after writing a
    /// snapshot, which holds the same state.
    /// </summary>
    /// <returns>The change; <see langword="null"/> when no stored note was recalled.</returns>
    public NotesRecalled? DrainRecalls() => _recalls.Drain(_notes);
}
