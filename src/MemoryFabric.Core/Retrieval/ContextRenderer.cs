using MemoryFabric.Temporal;

namespace MemoryFabric.Retrieval;

/// <summary>
/// Renders context items as an agent reads them: in chronological order, grouped under a date line, one item a
/// line. Turns read "Speaker: text", notes "- statement", episode summaries "~ summary".
/// </summary>
public static class ContextRenderer
{
    /// <summary>The date line of a group.</summary>
    /// <param name="timestamp">A timestamp of the day.</param>
    /// <returns>"[7 May 2023]".</returns>
    public static string DateLine(DateTimeOffset timestamp) => "[" + RelativeDateResolver.FormatDay(DateOnly.FromDateTime(timestamp.DateTime)) + "]";

    /// <summary>The line of an item's content (without the date).</summary>
    /// <param name="kind">The item's level.</param>
    /// <param name="text">The statement, summary or turn text.</param>
    /// <param name="speaker">The speaker, for a turn.</param>
    /// <returns>The line.</returns>
    public static string Line(MemoryItemKind kind, string text, string? speaker = null) => kind switch
    {
        MemoryItemKind.Turn => $"{speaker}: {Flatten(text)}",
        MemoryItemKind.Note => "- " + Flatten(text),
        _ => "~ " + Flatten(text),
    };

    /// <summary>Renders items (whose <see cref="ContextItem.Text"/> is their line) in chronological order under date lines.</summary>
    /// <param name="items">The items, in any order.</param>
    /// <returns>The items in rendering order, and the text.</returns>
    public static (IReadOnlyList<ContextItem> Items, string Text) Render(IEnumerable<ContextItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        // Ordered by the day of the date line first, so that every date line appears once (the packer charges it once)
        // even when items carry different UTC offsets.
        var ordered = items.Select((item, i) => (item, i))
            .OrderBy(x => DateOnly.FromDateTime(x.item.Timestamp.DateTime)).ThenBy(x => x.item.Timestamp).ThenBy(x => x.i)
            .Select(x => x.item).ToList();
        var lines = new List<string>(ordered.Count * 2);
        string? currentDate = null;
        foreach (var item in ordered)
        {
            var date = DateLine(item.Timestamp);
            if (date != currentDate)
            {
                lines.Add(date);
                currentDate = date;
            }

            lines.Add(item.Text);
        }

        return (ordered, string.Join('\n', lines));
    }

    private static string Flatten(string text) => text.Contains('\n', StringComparison.Ordinal) ? text.ReplaceLineEndings(" ") : text;
}
