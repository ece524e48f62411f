using MemoryFabric.Mcp.Results;
using MemoryFabric.Notes;

namespace MemoryFabric.Mcp.Tools;

/// <summary>Notes as the tools show them.</summary>
internal static class NoteViews
{
    /// <summary>The status of an item that holds.</summary>
    public const string Active = "active";

    /// <summary>The status of a note at a time: its life-cycle state, and <c>expired</c> for an active note whose
    /// validity ended by then.</summary>
    /// <param name="note">The note version.</param>
    /// <param name="asOf">The time, or <see langword="null"/> for the life-cycle state alone.</param>
    /// <returns>active, expired, superseded, archived or deleted.</returns>
    public static string Status(Note note, DateTimeOffset? asOf) => note.Status switch
    {
        NoteStatus.Active when note.ValidTo is { } end && end <= asOf => "expired",
        NoteStatus.Active => Active,
        NoteStatus.Superseded => "superseded",
        NoteStatus.Archived => "archived",
        _ => "deleted",
    };

    /// <summary>A note version, its text cut to the per-item cap.</summary>
    /// <param name="note">The version.</param>
    /// <param name="bounds">The result's bounds.</param>
    /// <param name="maxTurnIds">The most source turn ids shown.</param>
    /// <returns>The view.</returns>
    public static NoteView View(Note note, TextBounds bounds, int maxTurnIds)
    {
        var (text, cut) = bounds.Cut(note.Text);
        return new NoteView
        {
            Id = note.Id,
            LineageId = note.LineageId,
            Version = note.Version,
            Kind = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(note.Kind.ToString()),
            Subject = note.Subject,
            Text = text,
            TextTruncated = cut,
            Status = Status(note, asOf: null),
            SupersededBy = note.SupersededById,
            ValidFrom = note.ValidFrom,
            ValidTo = note.ValidTo,
            CreatedAt = note.CreatedAt,
            TurnIds = TextBounds.Ids(note.Provenance?.TurnIds, maxTurnIds),
        };
    }
}
