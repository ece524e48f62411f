using System.Text.Json.Serialization;

namespace MemoryFabric.Retrieval;

/// <summary>One item of a built context.</summary>
/// <param name="Kind">The level of the hierarchy it comes from.</param>
/// <param name="Id">The id of the turn, episode or note version.</param>
/// <param name="Text">The item's rendered text (as it appears in the context).</param>
/// <param name="Timestamp">When it was said or happened.</param>
/// <param name="TurnIds">The turns the item was derived from (for a turn, itself).</param>
/// <param name="Score">The fused retrieval score (higher is more relevant).</param>
public sealed record ContextItem(
    MemoryItemKind Kind,
    string Id,
    string Text,
    DateTimeOffset Timestamp,
    IReadOnlyList<string> TurnIds,
    double Score)
{
    /// <summary>Whether it still holds at the query time: <see cref="MemoryItemStatus.Active"/> (the default, also
    /// when a server that predates it sent none), <see cref="MemoryItemStatus.Superseded"/> or
    /// <see cref="MemoryItemStatus.Expired"/>. A turn inherits the state of the notes drawn from it when all of them
    /// are superseded or expired. Stale items rank below the items that replaced them.</summary>
    public MemoryItemStatus Status { get; init; }

    /// <summary>The note version that replaced it, for a superseded item; otherwise <see langword="null"/> (and
    /// absent from the JSON).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SupersededBy { get; init; }

    /// <summary>From when the statement holds, for a note (and a turn that inherits a note's state); otherwise
    /// <see langword="null"/> (and absent from the JSON).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ValidFrom { get; init; }

    /// <summary>Until when the statement held, when that is known; otherwise <see langword="null"/> (and absent from
    /// the JSON).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ValidTo { get; init; }
}
