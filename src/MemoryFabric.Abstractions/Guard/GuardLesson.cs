namespace MemoryFabric.Guard;

/// <summary>
/// A lesson the guard learnt from a confirmed detection: a new turn or note whose terms cover the trigger
/// signature is quarantined at write time.
/// </summary>
/// <param name="Id">The lesson id.</param>
/// <param name="TriggerSignature">The distinctive normalized content terms of the poisoned text (stemmed, stopwords
/// removed, sorted).</param>
/// <param name="ClaimPattern">The claim the poisoned item made, as "subject|attribute", when known.</param>
/// <param name="Reason">Why the source item was quarantined.</param>
/// <param name="CreatedAt">When the lesson was distilled.</param>
/// <param name="Revoked">Whether the lesson was revoked (it no longer catches anything).</param>
public sealed record GuardLesson(
    string Id,
    IReadOnlyList<string> TriggerSignature,
    string? ClaimPattern,
    string Reason,
    DateTimeOffset CreatedAt,
    bool Revoked)
{
    /// <summary>The quarantined item the lesson was distilled from, if known.</summary>
    public string? SourceItemId { get; init; }
}
