using MemoryFabric.Retrieval;

namespace MemoryFabric.DenseChanges;

/// <summary>
/// The dense items of an agent's memory whose vector changed since the log was last drained: for each one, the vector
/// its dense index holds now, or <see langword="null"/> when it holds none (removed, or waiting to be embedded again).
/// A host that mirrors the vectors elsewhere (the tenant's vector shards) reads it instead of comparing every item, so
/// a mirror update costs what changed, not the agent's size (<see cref="AgentMemory.TrackDenseChanges"/>).
/// </summary>
/// <remarks>Whether a logged item is still retrievable (quarantined, forgotten, a note no longer active) is asked of
/// the memory when the log is read (<see cref="AgentMemory.FindDenseItem"/>): every change of retrievability that
/// matters to the mirror also changes the dense index, so it is logged. Not thread-safe: used on the memory's turn.</remarks>
public sealed class DenseItemChangeLog
{
    private Dictionary<(MemoryItemKind Kind, string Id), float[]?> _changed = [];

    /// <summary>How many items changed since the last <see cref="Drain"/>.</summary>
    public int Count => _changed.Count;

    /// <summary>Records that the dense index of <paramref name="kind"/> now holds <paramref name="vector"/> for the
    /// item (<see langword="null"/>: none).</summary>
    /// <param name="kind">The item's kind.</param>
    /// <param name="id">The item's id.</param>
    /// <param name="vector">The vector the index holds now, or <see langword="null"/>.</param>
    public void Record(MemoryItemKind kind, string id, float[]? vector) => _changed[(kind, id)] = vector;

    /// <summary>Takes the changed items out of the log.</summary>
    /// <returns>The changed items, each with the vector its index holds (<see langword="null"/>: none).</returns>
    public IReadOnlyDictionary<(MemoryItemKind Kind, string Id), float[]?> Drain()
    {
        var changed = _changed;
        _changed = [];
        return changed;
    }
}
