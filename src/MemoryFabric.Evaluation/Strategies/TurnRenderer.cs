using System.Globalization;

namespace MemoryFabric.Evaluation.Strategies;

/// <summary>Renders a turn as one line of baseline context: <c>[8 May 2023] Caroline: text</c>.</summary>
public static class TurnRenderer
{
    /// <summary>Renders a turn.</summary>
    /// <param name="date">The session date (only the day is shown, as <c>d MMMM yyyy</c>).</param>
    /// <param name="speaker">Who spoke.</param>
    /// <param name="text">The text; line breaks are flattened to spaces so that one turn is one line.</param>
    /// <param name="includeDate">Whether to show the date.</param>
    /// <returns>The line.</returns>
    public static string Render(DateTimeOffset date, string speaker, string text, bool includeDate = true)
    {
        ArgumentNullException.ThrowIfNull(speaker);
        ArgumentNullException.ThrowIfNull(text);
        var flat = text.Contains('\n', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal)
            ? text.ReplaceLineEndings(" ")
            : text;
        return includeDate
            ? $"[{date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}] {speaker}: {flat}"
            : $"{speaker}: {flat}";
    }
}
