using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace MemoryFabric.Orleans.Agents.Catalog;

/// <summary>A checked request for one page of a tenant's agents (<c>GET /v1/agents</c>,
/// <see cref="IAgentListGrain"/>), and its opaque cursor: the base64url of the last agent name of the previous page
/// behind a version tag. Paging resumes after that name, so agents added or removed meanwhile never make a page repeat or
/// skip one of the others. The cursor names an agent only, never a tenant: the tenant is the caller's.</summary>
/// <param name="After">The agent to resume after, or <see langword="null"/> for the first page.</param>
/// <param name="Limit">The most agents the page holds.</param>
/// <param name="Prefix">Only agents whose name starts with this; empty for all.</param>
public sealed record AgentListQuery(string? After, int Limit, string Prefix)
{
    /// <summary>The page size when none is asked for.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The largest page size.</summary>
    public const int MaxLimit = 200;

    private const string CursorTag = "a1:";

    /// <summary>Checks a request's parameters.</summary>
    /// <param name="cursor">The previous page's <c>nextCursor</c>, or <see langword="null"/> (or empty) for the first
    /// page.</param>
    /// <param name="limit">The page size (1 to <see cref="MaxLimit"/>), or <see langword="null"/> for
    /// <see cref="DefaultLimit"/>.</param>
    /// <param name="prefix">The start of the agents' names, or <see langword="null"/> (or empty) for all.</param>
    /// <returns>The query.</returns>
    /// <exception cref="MemoryInputException">A parameter is invalid; the message says what to change.</exception>
    public static AgentListQuery Parse(string? cursor, int? limit, string? prefix)
    {
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            throw new MemoryInputException(
                string.Create(CultureInfo.InvariantCulture, $"'limit' must be from 1 to {MaxLimit} (default {DefaultLimit}); it was {size}."));
        }

        if (!string.IsNullOrEmpty(prefix) && !AgentNames.IsValid(prefix))
        {
            throw new MemoryInputException($"'prefix' must be the start of an agent name: {AgentNames.Rule}.");
        }

        string? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            after = DecodeCursor(cursor) ?? throw new MemoryInputException(
                "'cursor' is not a cursor of this listing: pass the 'nextCursor' of the previous page unchanged, or leave it out for the first page.");
        }

        return new AgentListQuery(after, size, prefix ?? string.Empty);
    }

    /// <summary>The cursor of the page that follows <paramref name="lastAgent"/>.</summary>
    /// <param name="lastAgent">The last agent of the page.</param>
    /// <returns>The opaque cursor.</returns>
    public static string Cursor(string lastAgent) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(CursorTag + lastAgent));

    // The agent name a cursor holds, or null when the text is not one of ours.
    private static string? DecodeCursor(string cursor)
    {
        if (cursor.Length > 512 || !Base64Url.IsValid(cursor))
        {
            return null;
        }

        var bytes = new byte[Base64Url.GetMaxDecodedLength(cursor.Length)];
        if (!Base64Url.TryDecodeFromChars(cursor, bytes, out var written))
        {
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        return text.StartsWith(CursorTag, StringComparison.Ordinal) && AgentNames.IsValid(text[CursorTag.Length..]) ? text[CursorTag.Length..] : null;
    }
}
