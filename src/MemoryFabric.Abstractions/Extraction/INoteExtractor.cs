using MemoryFabric.Notes;

namespace MemoryFabric.Extraction;

/// <summary>Distils notes (self-contained statements) from an episode of conversation.</summary>
/// <remarks>
/// The default implementation works offline by rules; an <c>IChatClient</c>-based implementation can replace it.
/// Every returned note must name the turns it rests on in <see cref="NoteWrite.SourceTurnIds"/>, and only turns of
/// the episode.
/// </remarks>
public interface INoteExtractor
{
    /// <summary>The extractor's name, recorded in each note's provenance.</summary>
    string Name { get; }

    /// <summary>The extractor's version, recorded in each note's provenance.</summary>
    string Version { get; }

    /// <summary>Extracts notes from one episode.</summary>
    /// <param name="context">The episode, its turns and what is known about the conversation.</param>
    /// <param name="cancellationToken">Cancels the extraction.</param>
    /// <returns>The proposed notes; possibly empty.</returns>
    Task<IReadOnlyList<NoteWrite>> ExtractAsync(NoteExtractionContext context, CancellationToken cancellationToken = default);
}
