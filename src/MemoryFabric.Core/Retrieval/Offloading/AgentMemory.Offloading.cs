using MemoryFabric.Retrieval;
using MemoryFabric.Retrieval.Offloading;

namespace MemoryFabric;

// Large agents: turn vectors an external index holds (the tenant's vector shards) leave the activation; the dense turn
// candidates of a search come from that index and the turn vectors still held here (OffloadedTurnVectors).
public sealed partial class AgentMemory
{
    private readonly OffloadedTurnVectors _offloaded = new();

    /// <summary>Where the offloaded turn vectors are searched (set by the host before the first search of an agent
    /// that has offloaded any). While it is <see langword="null"/>, offloaded turns have no dense signal: a host
    /// without one calls <see cref="ReclaimOffloadedTurnVectors"/>.</summary>
    public IOffloadedVectorIndex? OffloadedVectorIndex { get; set; }

    /// <summary>How many turns' dense vectors are held by <see cref="OffloadedVectorIndex"/> only.</summary>
    public int OffloadedTurnVectorCount => _offloaded.Count;

    /// <summary>How many turns have a dense vector, here or offloaded.</summary>
    public int TurnVectorCount => _turnDense.Count + _offloaded.Count;

    /// <summary>How many turn vectors the activation holds (not offloaded).</summary>
    public int LocalTurnVectorCount => _turnDense.Count;

    /// <summary>Drops from the activation the turn vectors an external index holds: each turn whose current vector
    /// <paramref name="heldElsewhere"/> confirms (the index acknowledged exactly this vector and time) is offloaded;
    /// its dense candidates come from <see cref="OffloadedVectorIndex"/> from then on. Nothing else changes (no change
    /// is logged, the turn stays as it is); the next snapshot lists the offloaded turns instead of their vectors.</summary>
    /// <param name="heldElsewhere">Whether the external index holds a turn's vector: the turn id, its vector and its
    /// time.</param>
    /// <returns>How many turns were offloaded.</returns>
    public int OffloadTurnVectors(Func<string, float[], DateTimeOffset, bool> heldElsewhere)
    {
        ArgumentNullException.ThrowIfNull(heldElsewhere);
        var keep = new List<(string Id, float[] Vector)>();
        var moved = new List<string>();
        var dimensions = 0;
        foreach (var (id, vector) in _turnDense.EnumerateVectors()) // a restored level is not indexed for this
        {
            if (_turns.TryGetValue(id, out var turn) && !IsExcluded(id) && heldElsewhere(id, vector, turn.Timestamp))
            {
                moved.Add(id);
                dimensions = vector.Length;
            }
            else
            {
                keep.Add((id, vector));
            }
        }

        if (moved.Count == 0)
        {
            return 0;
        }

        // Rebuilt from what stays rather than removed one by one: an HNSW level would tombstone and compact instead.
        _turnDense.Clear();
        foreach (var (id, vector) in keep)
        {
            _turnDense.Upsert(id, vector);
        }

        foreach (var id in moved)
        {
            _offloaded.Add(id);
        }

        _offloaded.Dimensions = dimensions;

        return moved.Count;
    }

    /// <summary>Brings the offloaded turns home: each is queued for dense embedding again
    /// (<see cref="EmbedPendingAsync"/>), as after a change of embedder. For a host that can no longer search the
    /// external index (it was switched off) or must ship every vector again (the external index was cleared).</summary>
    /// <returns>How many turns were queued.</returns>
    public int ReclaimOffloadedTurnVectors()
    {
        var ids = _offloaded.Clear();
        foreach (var id in ids)
        {
            if (_turns.ContainsKey(id) && !IsExcluded(id))
            {
                EnqueuePending(MemoryItemKind.Turn, id);
            }
        }

        return ids.Count;
    }

    // The dense turn candidates: the activation's index, merged with the external index's hits for offloaded turns. When
    // the external index fails, the activation's own candidates, and why the ranking is degraded (the offloaded turns
    // then compete on their lexical signals only).
    private async Task<(IReadOnlyList<ScoredKey<string>> Hits, string? DegradedReason)> SearchTurnVectorsAsync(float[] query, int limit, CancellationToken cancellationToken)
    {
        if (_offloaded.Count == 0 || OffloadedVectorIndex is not { } external)
        {
            return (_turnDense.Search(query, limit), null);
        }

        IReadOnlyList<ScoredKey<string>> remote;
        string? degraded = null;
        try
        {
            remote = await external.SearchTurnsAsync(query, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            remote = [];
            degraded = OffloadedTurnVectors.UnavailableReason;
        }

        var local = _turnDense.Search(query, limit); // after the await: what the activation holds now
        return (_offloaded.Merge(local, remote, limit), degraded);
    }

    // A turn's vector changed or the turn is gone: it is no longer offloaded (its new vector is held here, or waits).
    private void NotOffloaded(MemoryItemKind kind, string id)
    {
        if (kind == MemoryItemKind.Turn)
        {
            _offloaded.Remove(id);
        }
    }
}
