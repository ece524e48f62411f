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
    string ExtractorVersion);
