using MemoryFabric.Conversation;

namespace MemoryFabric.Extraction;

/// <summary>What an <see cref="INoteExtractor"/> gets to work on.</summary>
/// <param name="Episode">The episode to extract from.</param>
/// <param name="Turns">The episode's turns, in order.</param>
/// <param name="Participants">Everyone known to take part in the conversation (to resolve "you").</param>
public sealed record NoteExtractionContext(
    Episode Episode,
    IReadOnlyList<Turn> Turns,
    IReadOnlyList<string> Participants);
