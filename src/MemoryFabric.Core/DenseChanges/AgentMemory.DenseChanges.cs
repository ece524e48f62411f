using MemoryFabric.DenseChanges;
using MemoryFabric.Retrieval;

namespace MemoryFabric;

// The hook behind DenseItemChangeLog: every write to a dense index reports here (one line at each site), and the log
// exists only once a host asked to track the changes, so an untracked memory pays one null check per write.
public sealed partial class AgentMemory
{
    private DenseItemChangeLog? _denseChanges;

    /// <summary>Starts (or continues) logging which dense items change. The log holds what changed after this call:
    /// compare the whole memory (<see cref="EnumerateDenseItems"/>) once, on the same turn, then drain the log.</summary>
    /// <returns>The memory's change log.</returns>
    public DenseItemChangeLog TrackDenseChanges() => _denseChanges ??= new DenseItemChangeLog();

    /// <summary>A logged item as <see cref="EnumerateDenseItems"/> would show it, or <see langword="null"/> when it is
    /// no longer retrievable (gone, quarantined, a note no longer active): then no index should hold it.</summary>
    /// <param name="kind">The item's kind.</param>
    /// <param name="id">The item's id.</param>
    /// <param name="vector">The vector the log recorded (<see langword="null"/>: it waits to be embedded).</param>
    /// <returns>The item, or <see langword="null"/>.</returns>
    public DenseItem? FindDenseItem(MemoryItemKind kind, string id, float[]? vector)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (IsExcluded(id))
        {
            return null;
        }

        return kind switch
        {
            MemoryItemKind.Turn => _turns.TryGetValue(id, out var turn) ? new DenseItem(kind, id, vector, turn.Timestamp) : null,
            MemoryItemKind.Episode => _episodes.TryGetValue(id, out var episode) ? new DenseItem(kind, id, vector, episode.Start) : null,
            _ => LiveNote(id) is { } note ? new DenseItem(kind, id, vector, note.ValidFrom ?? note.CreatedAt) : null,
        };
    }

    private void DenseChanged(MemoryItemKind kind, string id, float[]? vector) => _denseChanges?.Record(kind, id, vector);
}
