namespace MemoryFabric.Evaluation.Metrics;

/// <summary>Percentiles by the nearest-rank method.</summary>
public static class Percentiles
{
    /// <summary>The nearest-rank percentile: the smallest value such that at least <paramref name="percent"/>% of
    /// the values are less than or equal to it, i.e. the value at 1-based rank ceil(p/100 × N) of the sorted
    /// values.</summary>
    /// <param name="values">The values, in any order.</param>
    /// <param name="percent">The percentile, in (0, 100].</param>
    /// <returns>The percentile, or 0 when there are no values.</returns>
    public static double NearestRank(IEnumerable<double> values, double percent)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (percent is <= 0 or > 100 || double.IsNaN(percent))
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "The percentile must be in (0, 100].");
        }

        var sorted = values.ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        Array.Sort(sorted);
        // percent × N first, so that e.g. 99 × 100 / 100 is exactly 99 (0.99 × 100 is not).
        var rank = (int)Math.Ceiling((percent * sorted.Length / 100.0) - 1e-9);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
