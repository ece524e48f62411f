using System.Globalization;

namespace MemoryFabric.Evaluation.Reporting;

/// <summary>Orders category names naturally: numbers by value ("2" before "10"), then words ordinally.</summary>
public sealed class CategoryOrder : IComparer<string>
{
    /// <summary>The comparer.</summary>
    public static CategoryOrder Instance { get; } = new();

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        var xNumber = long.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out var a);
        var yNumber = long.TryParse(y, NumberStyles.Integer, CultureInfo.InvariantCulture, out var b);
        return (xNumber, yNumber) switch
        {
            (true, true) => a.CompareTo(b),
            (true, false) => -1,
            (false, true) => 1,
            _ => string.CompareOrdinal(x, y),
        };
    }
}
