using System.Buffers.Text;
using System.Globalization;
using System.Text;
using MemoryFabric.Mcp.Errors;
using MemoryFabric.Notes;

namespace MemoryFabric.Mcp.Paging;

/// <summary>The opaque cursor of <c>list_notes</c>: the position after the last note of a page in the order the
/// tool lists notes (creation time, then id), so pages neither repeat nor skip a note when notes are added or removed
/// between calls.</summary>
internal static class NoteCursor
{
    private const string Prefix = "n1:";

    /// <summary>The order notes are listed in.</summary>
    public static IOrderedEnumerable<Note> Order(IEnumerable<Note> notes) =>
        notes.OrderBy(n => n.CreatedAt.UtcTicks).ThenBy(n => n.Id, StringComparer.Ordinal);

    /// <summary>The cursor after <paramref name="note"/>.</summary>
    /// <param name="note">The last note of a page.</param>
    /// <returns>The cursor.</returns>
    public static string After(Note note)
    {
        ArgumentNullException.ThrowIfNull(note);
        var text = Prefix + note.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + ":" + note.Id;
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Whether <paramref name="note"/> comes after the position a cursor names.</summary>
    /// <param name="note">The note.</param>
    /// <param name="position">The decoded cursor.</param>
    /// <returns>Whether the note belongs to a later page.</returns>
    public static bool IsAfter(Note note, (long Ticks, string Id) position) =>
        note.CreatedAt.UtcTicks > position.Ticks
        || (note.CreatedAt.UtcTicks == position.Ticks && string.CompareOrdinal(note.Id, position.Id) > 0);

    /// <summary>Decodes a cursor.</summary>
    /// <param name="cursor">The cursor a previous page returned.</param>
    /// <returns>The position.</returns>
    /// <exception cref="MemoryFabricToolException">The cursor is not one <c>list_notes</c> made.</exception>
    public static (long Ticks, string Id) Parse(string cursor)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw Malformed();
        }

        var parts = text.Split(':', 3);
        if (parts.Length != 3 || parts[0] + ":" != Prefix || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || parts[2].Length == 0)
        {
            throw Malformed();
        }

        return (ticks, parts[2]);
    }

    private static MemoryFabricToolException Malformed() =>
        MemoryFabricToolException.Invalid("'cursor' is not a cursor list_notes returned; pass next_cursor from the previous page unchanged, or leave it out for the first page.");
}
