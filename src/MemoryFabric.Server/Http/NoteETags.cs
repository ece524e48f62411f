using System.Globalization;
using MemoryFabric.Notes;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace MemoryFabric.Server.Http;

/// <summary>A note's ETag is its version, as a quoted strong entity tag (<c>"3"</c>). The note routes send it
/// (<c>ETag</c>) and honour it (<c>If-Match</c> on <c>PUT</c> and <c>DELETE</c>): the expected version goes into the
/// grain call that writes, so the check and the write are one step.</summary>
internal static class NoteETags
{
    /// <summary>The ETag of a note version.</summary>
    /// <param name="note">The version.</param>
    /// <returns>The quoted version.</returns>
    public static string Of(Note note) => "\"" + note.Version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>Sets the response's <c>ETag</c> to the note's.</summary>
    /// <param name="context">The request.</param>
    /// <param name="note">The version the response carries.</param>
    public static void Set(HttpContext context, Note note) => context.Response.Headers.ETag = Of(note);

    /// <summary>The version <c>If-Match</c> expects: <see langword="null"/> without the header or with <c>*</c> (any
    /// current version).</summary>
    /// <param name="context">The request.</param>
    /// <returns>The expected version.</returns>
    /// <exception cref="RequestRejectedException">400 for a header that is not <c>*</c> or entity tags, or that names
    /// several versions; 412 when it names no version a note can have (a weak tag never matches: If-Match compares
    /// strongly).</exception>
    public static int? ExpectedVersion(HttpContext context)
    {
        var raw = context.Request.Headers.IfMatch;
        if (StringValues.IsNullOrEmpty(raw))
        {
            return null;
        }

        if (!EntityTagHeaderValue.TryParseStrictList(raw, out var tags) || tags.Count == 0)
        {
            throw RequestRejectedException.Invalid("If-Match must be * or a note's ETag: its version in quotes, such as \"3\" (the ETag header of GET /notes/{id}).");
        }

        if (tags.Any(t => t.Tag.Equals("*", StringComparison.Ordinal)))
        {
            return null;
        }

        var versions = tags
            .Where(t => !t.IsWeak && t.Tag.Length > 2)
            .Select(t => int.TryParse(t.Tag.AsSpan(1, t.Tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1 ? v : 0)
            .Where(v => v > 0)
            .Distinct()
            .ToList();
        return versions.Count switch
        {
            1 => versions[0],
            0 => throw new RequestRejectedException(StatusCodes.Status412PreconditionFailed, "precondition-failed", "Precondition failed",
                "If-Match names no version a note can have (a note's ETag is its version in quotes, such as \"3\"; a weak ETag never matches). Nothing was changed."),
            _ => throw RequestRejectedException.Invalid("If-Match names several versions; send the one ETag you read."),
        };
    }
}
