namespace MemoryFabric.Retrieval;

/// <summary>
/// Read-after-write for items whose dense vector is still queued (<see cref="AgentMemoryOptions.DeferEmbedding"/>).
/// A search embeds a few of them on demand (<see cref="Select"/>: the newest, then those the lexical lists found,
/// best first) and indexes them before its dense search, so a fresh item is ranked like any other. Pending items
/// beyond that limit are not penalised for the signal they lack: their fusion is normalised over the signals they
/// have (<see cref="ImputedDenseShare"/>).
/// </summary>
internal static class PendingDenseScoring
{
    /// <summary>How many of the newest pending items are always among the ones scored.</summary>
    public const int Newest = 2;

    /// <summary>Picks the pending items to embed for one query: the <see cref="Newest"/> newest pending items, then
    /// the pending items of the lexical lists by rank (the lists interleaved), each once, at most
    /// <paramref name="limit"/>.</summary>
    /// <typeparam name="TKey">The item key.</typeparam>
    /// <param name="newestFirst">The pending items, newest first.</param>
    /// <param name="lexicalLists">The lexical candidate lists, each best first.</param>
    /// <param name="isPending">Whether an item waits for its dense vector.</param>
    /// <param name="limit">The most items.</param>
    /// <returns>The items, in the order to embed them.</returns>
    public static List<TKey> Select<TKey>(IEnumerable<TKey> newestFirst, IReadOnlyList<IReadOnlyList<TKey>> lexicalLists, Func<TKey, bool> isPending, int limit)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        ArgumentNullException.ThrowIfNull(lexicalLists);
        ArgumentNullException.ThrowIfNull(isPending);
        var selected = new List<TKey>();
        if (limit <= 0)
        {
            return selected;
        }

        var seen = new HashSet<TKey>();
        foreach (var key in newestFirst.Take(Math.Min(Newest, limit)))
        {
            if (isPending(key) && seen.Add(key))
            {
                selected.Add(key);
            }
        }

        var longest = lexicalLists.Count == 0 ? 0 : lexicalLists.Max(l => l.Count);
        for (var rank = 0; rank < longest && selected.Count < limit; rank++)
        {
            foreach (var list in lexicalLists)
            {
                if (rank < list.Count && selected.Count < limit && isPending(list[rank]) && seen.Add(list[rank]))
                {
                    selected.Add(list[rank]);
                }
            }
        }

        return selected;
    }

    /// <summary>The dense weight credited to a pending item that was not scored on demand and was found lexically:
    /// its fusion is normalised over the signals it has, as if it ranked as well densely as lexically.</summary>
    /// <param name="lexicalWeight">The lexical lists' weight.</param>
    /// <param name="denseWeight">The dense lists' weight.</param>
    /// <param name="lexicalShare">Its fused lexical contribution (kind weight × lexical weight / (k + rank)).</param>
    /// <returns>The contribution to add.</returns>
    public static double ImputedDenseShare(double lexicalWeight, double denseWeight, double lexicalShare) =>
        lexicalWeight <= 0 ? 0 : lexicalShare * denseWeight / lexicalWeight;
}
