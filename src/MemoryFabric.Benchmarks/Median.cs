namespace MemoryFabric.Benchmarks;

/// <summary>The median of a benchmark's figures.</summary>
internal static class Median
{
    /// <summary>The median: the middle value, or the mean of the two middle ones.</summary>
    /// <param name="values">The values, in any order.</param>
    /// <returns>The median, or <see cref="double.NaN"/> when there are none.</returns>
    public static double Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[middle]
            : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
