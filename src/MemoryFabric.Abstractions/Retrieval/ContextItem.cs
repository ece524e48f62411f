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
    double Score);
