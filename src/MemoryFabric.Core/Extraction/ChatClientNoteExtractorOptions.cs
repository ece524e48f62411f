using Microsoft.Extensions.AI;

namespace MemoryFabric.Extraction;

/// <summary>Options of the <see cref="ChatClientNoteExtractor"/>.</summary>
public sealed class ChatClientNoteExtractorOptions
{
    /// <summary>
    /// How many times a reply that is not valid JSON is retried, with a corrective message, before the extraction fails
    /// with a <see cref="NoteExtractionException"/>. Default 1; 0 disables retries.
    /// </summary>
    public int MaxRetries { get; set; } = 1;

    /// <summary>
    /// The chat options sent with every request (cloned per request). Default: temperature 0 and a JSON response format.
    /// </summary>
    public ChatOptions? ChatOptions { get; set; } = new() { Temperature = 0, ResponseFormat = ChatResponseFormat.Json };

    /// <summary>
    /// The most turns sent in one request; a longer episode is split into consecutive requests. <see langword="null"/>
    /// (the default) sends the whole episode at once.
    /// </summary>
    public int? MaxTurnsPerRequest { get; set; }
}
