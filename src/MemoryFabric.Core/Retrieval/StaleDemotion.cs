namespace MemoryFabric.Retrieval;

/// <summary>A ranking candidate whose score <see cref="StaleDemotion"/> may change.</summary>
internal interface IScoredCandidate
{
    /// <summary>The fused score, higher is better.</summary>
    double Score { get; set; }
}

/// <summary>
/// Ranks superseded and expired items below what replaced them, in two steps around the priors. Before them,
/// <see cref="Lift"/> raises each stale item's successors (the active note that replaced it and that note's source
/// turns) to at least the stale item's score: a query that matches the old fact is about the new one. After them,
/// <see cref="Demote"/> scales each stale item by a factor and caps it just below the lowest of its successors.
/// </summary>
internal static class StaleDemotion
{
    /// <summary>A capped stale item scores at most this share of its lowest successor.</summary>
    public const double Margin = 0.99;

    /// <summary>Raises successors to at least their stale item's score (call before the priors).</summary>
    /// <typeparam name="T">The candidate type.</typeparam>
    /// <param name="stale">Each stale candidate with its successors (already among the candidates).</param>
    public static void Lift<T>(IEnumerable<(T Stale, IReadOnlyList<T> Successors)> stale)
        where T : IScoredCandidate
    {
        ArgumentNullException.ThrowIfNull(stale);
        foreach (var (item, successors) in stale)
        {
            foreach (var successor in successors)
            {
                if (successor.Score < item.Score)
                {
                    successor.Score = item.Score;
                }
            }
        }
    }

    /// <summary>Scales stale items by <paramref name="factor"/> and caps each one below its lowest successor (call
    /// after the priors).</summary>
    /// <typeparam name="T">The candidate type.</typeparam>
    /// <param name="stale">Each stale candidate with its successors (possibly none).</param>
    /// <param name="factor">The share of its score a stale item keeps (0–1).</param>
    public static void Demote<T>(IEnumerable<(T Stale, IReadOnlyList<T> Successors)> stale, double factor)
        where T : IScoredCandidate
    {
        ArgumentNullException.ThrowIfNull(stale);
        foreach (var (item, successors) in stale)
        {
            var score = item.Score * factor;
            foreach (var successor in successors)
            {
                score = Math.Min(score, successor.Score * Margin);
            }

            item.Score = score;
        }
    }
}
