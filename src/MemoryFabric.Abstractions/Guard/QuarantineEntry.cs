using MemoryFabric.Retrieval;

namespace MemoryFabric.Guard;

/// <summary>The state of a quarantined item.</summary>
public enum QuarantineStatus
{
    /// <summary>Flagged by a detector and kept out of retrieval, awaiting review.</summary>
    Flagged,

    /// <summary>Confirmed as poisoned by a reviewer: kept out of retrieval for good, and a lesson was distilled.</summary>
    Confirmed,

    /// <summary>Released by a reviewer: back in retrieval and consolidation.</summary>
    Released,
}

/// <summary>An item the guard keeps out of retrieval (or kept, when released), with why.</summary>
/// <param name="ItemId">The turn, note version or episode id.</param>
/// <param name="Kind">The kind of item.</param>
/// <param name="Text">The item's text.</param>
/// <param name="Reason">Why it was quarantined, in words.</param>
/// <param name="Detector">What flagged it: "instruction-screen", "lesson:&lt;id&gt;", "manual", or a later
/// detector's name.</param>
/// <param name="DetectedAt">When it was flagged.</param>
/// <param name="Status">Its current state.</param>
public sealed record QuarantineEntry(
    string ItemId,
    MemoryItemKind Kind,
    string Text,
    string Reason,
    string Detector,
    DateTimeOffset DetectedAt,
    QuarantineStatus Status)
{
    /// <summary>The lesson distilled when the entry was confirmed, if any.</summary>
    public string? LessonId { get; init; }

    /// <summary>When the status last changed (flagged, confirmed or released).</summary>
    public DateTimeOffset? ReviewedAt { get; init; }
}
