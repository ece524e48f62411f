// The calls of IAgentMemoryActor, forwarded to the hosted actor (one grain request = one actor turn).
using MemoryFabric.Actors;
using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Orleans.Grains;

/// <content>The forwarded calls of <see cref="IAgentMemoryActor"/>.</content>
public sealed partial class AgentMemoryGrain
{
    /// <inheritdoc />
    public Task<IngestResult> IngestAsync(IReadOnlyList<TurnInput> turns, CancellationToken cancellationToken = default) => Actor.IngestAsync(turns, cancellationToken);

    /// <inheritdoc />
    public Task<AgentMemoryStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default) => Actor.GetStatisticsAsync(cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Turn>> GetTurnsAsync(string? sessionId, CancellationToken cancellationToken = default) => Actor.GetTurnsAsync(sessionId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default) => Actor.SearchAsync(request, cancellationToken);

    /// <inheritdoc />
    public Task<MemoryContext> GetContextAsync(ContextRequest request, CancellationToken cancellationToken = default) => Actor.GetContextAsync(request, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Note>> GetNotesAsync(bool includeInactive, CancellationToken cancellationToken = default) => Actor.GetNotesAsync(includeInactive, cancellationToken);

    /// <inheritdoc />
    public Task<Note?> GetNoteAsync(string noteId, CancellationToken cancellationToken = default) => Actor.GetNoteAsync(noteId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Note>> GetNoteHistoryAsync(string noteId, CancellationToken cancellationToken = default) => Actor.GetNoteHistoryAsync(noteId, cancellationToken);

    /// <inheritdoc />
    public Task<NoteWriteResult> AddNoteAsync(NoteWrite note, CancellationToken cancellationToken = default) => Actor.AddNoteAsync(note, cancellationToken);

    /// <inheritdoc />
    public Task<NoteWriteResult> UpdateNoteAsync(string noteId, NoteWrite note, CancellationToken cancellationToken = default) => Actor.UpdateNoteAsync(noteId, note, cancellationToken);

    /// <inheritdoc />
    public Task<NoteWriteResult> DeleteNoteAsync(string noteId, CancellationToken cancellationToken = default) => Actor.DeleteNoteAsync(noteId, cancellationToken);

    /// <inheritdoc />
    public Task<int> PurgeNoteAsync(string noteId, CancellationToken cancellationToken = default) => Actor.PurgeNoteAsync(noteId, cancellationToken);

    /// <inheritdoc />
    public Task<AgentExport> ExportAsync(CancellationToken cancellationToken = default) => Actor.ExportAsync(cancellationToken);

    /// <inheritdoc />
    public Task<AgentImportResult> ImportAsync(IReadOnlyList<Turn> turns, IReadOnlyList<Note> notes, CancellationToken cancellationToken = default) => Actor.ImportAsync(turns, notes, cancellationToken);

    /// <inheritdoc />
    public Task<ConsolidationReport> ConsolidateAsync(CancellationToken cancellationToken = default) => Actor.ConsolidateAsync(cancellationToken);

    /// <inheritdoc />
    public Task<bool> PurgeAsync(CancellationToken cancellationToken = default) => Actor.PurgeAsync(cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<QuarantineEntry>> GetQuarantineAsync(CancellationToken cancellationToken = default) => Actor.GetQuarantineAsync(cancellationToken);

    /// <inheritdoc />
    public Task<bool> ReleaseAsync(string itemId, CancellationToken cancellationToken = default) => Actor.ReleaseAsync(itemId, cancellationToken);

    /// <inheritdoc />
    public Task<GuardLesson?> ConfirmAsync(string itemId, CancellationToken cancellationToken = default) => Actor.ConfirmAsync(itemId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<GuardLesson>> GetLessonsAsync(CancellationToken cancellationToken = default) => Actor.GetLessonsAsync(cancellationToken);

    /// <inheritdoc />
    public Task<bool> RevokeLessonAsync(string lessonId, CancellationToken cancellationToken = default) => Actor.RevokeLessonAsync(lessonId, cancellationToken);

    /// <inheritdoc />
    public Task<AgentGuardPolicy> RefreshGuardAsync(CancellationToken cancellationToken = default) => Actor.RefreshGuardAsync(cancellationToken);
}
