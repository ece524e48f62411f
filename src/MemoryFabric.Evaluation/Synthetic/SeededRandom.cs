namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>
/// A small deterministic random source (SplitMix64) for the dataset generators: the same seed gives the same
/// sequence on every runtime and platform, unlike <see cref="Random"/>, whose algorithm is not a contract.
/// </summary>
internal sealed class SeededRandom
{
    private ulong _state;

    /// <summary>Creates the source.</summary>
    /// <param name="seed">The seed.</param>
    public SeededRandom(ulong seed) => _state = seed;

    /// <summary>A child source for a labelled part of the output (a conversation, say), so that adding draws in one
    /// part does not shift every other part.</summary>
    /// <param name="label">The label.</param>
    /// <returns>The child.</returns>
    public SeededRandom Fork(string label)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in label)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return new SeededRandom(NextUInt64() ^ hash);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>An integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextUInt64() % (ulong)maxExclusive);
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    /// <summary>A double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>One item of a list.</summary>
    public T Pick<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items[Next(items.Count)];
    }

    /// <summary>One of the given items.</summary>
    public T Choose<T>(params ReadOnlySpan<T> items)
    {
        if (items.IsEmpty)
        {
            throw new ArgumentException("Nothing to choose from.", nameof(items));
        }

        return items[Next(items.Length)];
    }

    /// <summary>One item of a list that is not in <paramref name="excluded"/> (falls back to any item when all are
    /// excluded).</summary>
    public T PickOther<T>(IReadOnlyList<T> items, IEnumerable<T> excluded)
    {
        ArgumentNullException.ThrowIfNull(items);
        var skip = excluded.ToHashSet();
        var allowed = items.Where(i => !skip.Contains(i)).ToList();
        return allowed.Count == 0 ? Pick(items) : Pick(allowed);
    }

    /// <summary><paramref name="count"/> distinct items of a list, in random order.</summary>
    public List<T> Sample<T>(IReadOnlyList<T> items, int count)
    {
        ArgumentNullException.ThrowIfNull(items);
        var copy = items.ToList();
        Shuffle(copy);
        return copy.Take(Math.Min(count, copy.Count)).ToList();
    }

    /// <summary>Shuffles a list in place (Fisher–Yates).</summary>
    public void Shuffle<T>(IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
