using MemoryFabric.Conversation;

namespace MemoryFabric.Notes;

/// <summary>Where a note came from.</summary>
/// <param name="TurnIds">The turns the note was derived from (and only those).</param>
/// <param name="EpisodeId">The episode the note was extracted from, if any.</param>
/// <param name="Extractor">The extractor's name, e.g. "rules" or "chat", or "api" for notes written directly.</param>
/// <param name="ExtractorVersion">The extractor's version.</param>
public sealed record NoteProvenance(
    IReadOnlyList<string> TurnIds,
    string? EpisodeId,
    string Extractor,
    string ExtractorVersion)
{
    /// <summary>The provenance kind: for extracted notes, that of the first source turn; for notes written through
    /// the API, the writer's.</summary>
    public SourceKind Source { get; init; } = SourceKind.UserStated;

    /// <summary>The trust level, 0 to 1: for extracted notes, the lowest trust of the source turns; for notes
    /// written through the API, the writer's.</summary>
    public double Trust { get; init; } = 0.9;
}
