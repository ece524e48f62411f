namespace MemoryFabric.Mcp.Tools;

/// <summary>Cuts texts to the per-item cap and counts a result's characters against its cap.</summary>
internal sealed class TextBounds(int maxItemCharacters, int maxResultCharacters)
{
    private const string Ellipsis = "…";

    private int _used;

    /// <summary>Characters of item text the result holds so far.</summary>
    public int Used => _used;

    /// <summary>A text cut to the per-item cap (an ellipsis marks the cut).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The text, and whether it was cut.</returns>
    public (string Text, bool Truncated) Cut(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= maxItemCharacters)
        {
            return (text, false);
        }

        var end = maxItemCharacters - Ellipsis.Length;
        if (end > 0 && char.IsHighSurrogate(text[end - 1]))
        {
            end--; // never split a surrogate pair
        }

        return (text[..Math.Max(0, end)] + Ellipsis, true);
    }

    /// <summary>Takes room for an item of <paramref name="characters"/> characters, unless the result would exceed its
    /// cap; the first item is always taken, so a page is never empty.</summary>
    /// <param name="characters">The item's text length (after <see cref="Cut"/>).</param>
    /// <returns>Whether the item fits.</returns>
    public bool TryTake(int characters)
    {
        if (_used > 0 && _used + characters > maxResultCharacters)
        {
            return false;
        }

        _used += characters;
        return true;
    }

    /// <summary>At most <paramref name="max"/> ids of a list.</summary>
    /// <param name="ids">The ids.</param>
    /// <param name="max">The cap.</param>
    /// <returns>The first <paramref name="max"/> ids.</returns>
    public static IReadOnlyList<string> Ids(IReadOnlyList<string>? ids, int max) =>
        ids is null ? [] : ids.Count <= max ? ids : [.. ids.Take(max)];
}
