namespace MemoryFabric.Retrieval.Passages;

/// <summary>A query's match against the passages of long turns (<see cref="PassageIndex.Search"/>).</summary>
public sealed class PassageMatch
{
    private readonly IReadOnlyDictionary<string, List<ScoredKey<TurnPassage>>> _byTurn;

    internal PassageMatch(IReadOnlyList<ScoredKey<string>> turns, IReadOnlyDictionary<string, List<ScoredKey<TurnPassage>>> byTurn)
    {
        Turns = turns;
        _byTurn = byTurn;
    }

    /// <summary>No match.</summary>
    public static PassageMatch Empty { get; } = new([], new Dictionary<string, List<ScoredKey<TurnPassage>>>());

    /// <summary>The long turns with a matching passage, best first, each scored by its best passage.</summary>
    public IReadOnlyList<ScoredKey<string>> Turns { get; }

    /// <summary>A turn's matching passages, best first; empty when none matched.</summary>
    /// <param name="turnId">The turn id.</param>
    /// <returns>The passages with their scores.</returns>
    public IReadOnlyList<ScoredKey<TurnPassage>> PassagesOf(string turnId) =>
        _byTurn.TryGetValue(turnId, out var list) ? list : [];
}
