using MemoryFabric.Conversation;
using MemoryFabric.Extraction;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.AI;

namespace MemoryFabric;

/// <summary>The memory of one agent: turns, episodes, notes, and hybrid retrieval over them.</summary>
public sealed class AgentMemory : IAgentMemory
{
    /// <summary>Creates an empty agent memory.</summary>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="embeddingGenerator">The embedder for dense retrieval; the hashing embedder when <see langword="null"/>.</param>
    /// <param name="noteExtractor">The note extractor; the rule-based one when <see langword="null"/>.</param>
    public AgentMemory(
        AgentMemoryOptions? options = null,
        TimeProvider? timeProvider = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null,
        INoteExtractor? noteExtractor = null)
    {
        _ = options;
        _ = timeProvider;
        _ = embeddingGenerator;
        _ = noteExtractor;
    }

    /// <inheritdoc />
    public Task<IngestResult> IngestAsync(IReadOnlyList<TurnInput> turns, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<ConsolidationReport> ConsolidateAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<MemoryContext> GetContextAsync(ContextRequest request, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<IReadOnlyList<Turn>> GetTurnsAsync(string? sessionId = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<IReadOnlyList<Episode>> GetEpisodesAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<IReadOnlyList<Note>> GetNotesAsync(bool includeInactive = false, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<Note?> GetNoteAsync(string noteId, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<IReadOnlyList<Note>> GetNoteHistoryAsync(string noteId, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<NoteWriteResult> AddNoteAsync(NoteWrite note, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<NoteWriteResult> UpdateNoteAsync(string noteId, NoteWrite note, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<NoteWriteResult> DeleteNoteAsync(string noteId, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<int> PurgeNoteAsync(string noteId, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}
