namespace MemoryFabric.Retrieval.Offloading;

/// <summary>
/// The turns whose dense vector an agent's memory no longer holds because an <see cref="IOffloadedVectorIndex"/> does
/// (a large agent, <see cref="AgentMemory.OffloadTurnVectors"/>): their ids only, about 30 bytes a turn where the
/// vector and its graph took about 2 KB. A turn leaves the set when its vector changes (it is held locally again, or
/// waits to be embedded), when it is forgotten or quarantined, and when the vectors are reclaimed.
/// </summary>
/// <remarks>Not thread-safe: used on the memory's turn.</remarks>
public sealed class OffloadedTurnVectors
{
    /// <summary>Why a search is degraded when the external index did not answer: its offloaded turns were ranked on
    /// their lexical signals only (a search response's <c>degradedReason</c>).</summary>
    public const string UnavailableReason = "offloaded-vectors-unavailable";

    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    /// <summary>The dimension of the offloaded vectors (0 when none was offloaded): a snapshot records it, so a
    /// restore under another embedder knows they no longer fit.</summary>
    public int Dimensions { get; set; }

    /// <summary>How many turns are offloaded.</summary>
    public int Count => _ids.Count;

    /// <summary>The offloaded turn ids (no order).</summary>
    public IEnumerable<string> Ids => _ids;

    /// <summary>Whether a turn's vector is held by the external index only.</summary>
    /// <param name="turnId">The turn's id.</param>
    /// <returns><see langword="true"/> when offloaded.</returns>
    public bool Contains(string turnId) => _ids.Contains(turnId);

    /// <summary>Marks a turn as offloaded.</summary>
    /// <param name="turnId">The turn's id.</param>
    /// <returns>Whether it was not offloaded before.</returns>
    public bool Add(string turnId) => _ids.Add(turnId);

    /// <summary>Takes a turn out of the set (its vector changed, or it is gone).</summary>
    /// <param name="turnId">The turn's id.</param>
    /// <returns>Whether it was offloaded.</returns>
    public bool Remove(string turnId) => _ids.Count != 0 && _ids.Remove(turnId);

    /// <summary>Empties the set and returns what it held.</summary>
    /// <returns>The ids that were offloaded.</returns>
    public List<string> Clear()
    {
        var ids = _ids.ToList();
        _ids.Clear();
        Dimensions = 0;
        return ids;
    }

    /// <summary>Merges the dense turn candidates of the activation and of the external index: each turn once, with the
    /// activation's score when it holds the vector (the current one: the external index may still hold an older vector
    /// of a turn re-embedded since), the external index's only for offloaded turns; best first (ties by id), the top
    /// <paramref name="limit"/>.</summary>
    /// <param name="local">The activation's hits (its index holds the turns not offloaded).</param>
    /// <param name="external">The external index's hits.</param>
    /// <param name="limit">How many at most.</param>
    /// <returns>The merged hits, each with its rank as <see cref="ScoredKey{TKey}.Order"/>.</returns>
    public IReadOnlyList<ScoredKey<string>> Merge(IReadOnlyList<ScoredKey<string>> local, IReadOnlyList<ScoredKey<string>> external, int limit)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(external);
        if (limit <= 0)
        {
            return [];
        }

        var best = new Dictionary<string, double>(local.Count + external.Count, StringComparer.Ordinal);
        foreach (var hit in local)
        {
            best[hit.Key] = hit.Score;
        }

        foreach (var hit in external)
        {
            if (_ids.Contains(hit.Key) && !best.ContainsKey(hit.Key))
            {
                best[hit.Key] = hit.Score;
            }
        }

        return [.. best.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(limit)
            .Select((p, rank) => new ScoredKey<string>(p.Key, p.Value, rank))];
    }
}
