using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric;

/// <summary>
/// The memory of one agent (or user): the verbatim conversation, the episodes cut from it and the notes distilled
/// from those. Implementations are single-threaded by contract: a runtime gives them one call at a time.
/// </summary>
public interface IAgentMemory
{
    /// <summary>Stores turns verbatim. Idempotent: a turn whose id is already stored is skipped.</summary>
    /// <param name="turns">The turns, in any timestamp order.</param>
    /// <param name="cancellationToken">Cancels the call before anything is stored.</param>
    /// <returns>What was stored and what was skipped.</returns>
    /// <exception cref="MemoryInputException">A turn is invalid (blank text, text over the limit, missing session or
    /// speaker, or two turns of the batch share an id); nothing of the batch is stored.</exception>
    Task<IngestResult> IngestAsync(IReadOnlyList<TurnInput> turns, CancellationToken cancellationToken = default);

    /// <summary>Segments new turns into episodes, extracts and merges notes, reconsolidates conflicts, refreshes
    /// links and applies decay.</summary>
    /// <param name="cancellationToken">Cancels the consolidation between steps.</param>
    /// <returns>What the consolidation did.</returns>
    Task<ConsolidationReport> ConsolidateAsync(CancellationToken cancellationToken = default);

    /// <summary>Builds the context for a query within a token budget.</summary>
    /// <param name="request">The query and the budget.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rendered context and its items.</returns>
    Task<MemoryContext> GetContextAsync(ContextRequest request, CancellationToken cancellationToken = default);

    /// <summary>Searches turns, episodes and notes with hybrid (lexical + dense) retrieval.</summary>
    /// <param name="request">The query.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hits, best first.</returns>
    Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists the stored turns in conversation order.</summary>
    /// <param name="sessionId">Only this session's turns, or all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The turns.</returns>
    Task<IReadOnlyList<Turn>> GetTurnsAsync(string? sessionId = null, CancellationToken cancellationToken = default);

    /// <summary>Lists the episodes in conversation order.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The episodes.</returns>
    Task<IReadOnlyList<Episode>> GetEpisodesAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists notes.</summary>
    /// <param name="includeInactive">Include superseded, archived and deleted versions.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The notes.</returns>
    Task<IReadOnlyList<Note>> GetNotesAsync(bool includeInactive = false, CancellationToken cancellationToken = default);

    /// <summary>Gets one note version by id.</summary>
    /// <param name="noteId">The version id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The note, or <see langword="null"/> when there is none (or it was purged).</returns>
    Task<Note?> GetNoteAsync(string noteId, CancellationToken cancellationToken = default);

    /// <summary>Gets every version of the note that <paramref name="noteId"/> belongs to, oldest first.</summary>
    /// <param name="noteId">Any version id of the note, or its lineage id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The versions; empty when the note is unknown.</returns>
    Task<IReadOnlyList<Note>> GetNoteHistoryAsync(string noteId, CancellationToken cancellationToken = default);

    /// <summary>Adds a note, or does nothing if it duplicates or restates an active one, or merges into an active note
    /// that it restates and adds to, or supersedes an active note that it contradicts (same subject and attribute,
    /// another value). Notes extracted by consolidation go through the same rules.</summary>
    /// <param name="note">The note.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    Task<NoteWriteResult> AddNoteAsync(NoteWrite note, CancellationToken cancellationToken = default);

    /// <summary>Writes a new version of an active note; the old version is kept as superseded.</summary>
    /// <param name="noteId">The current version's id (or a lineage id that no version has).</param>
    /// <param name="note">The new content.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="MemoryItemNotFoundException">No note has that id.</exception>
    /// <exception cref="NoteConflictException">The id names a version that is not current (superseded, deleted,
    /// archived); nothing is changed.</exception>
    Task<NoteWriteResult> UpdateNoteAsync(string noteId, NoteWrite note, CancellationToken cancellationToken = default);

    /// <summary>Deletes a note: its current version becomes a tombstone, kept in the history until purged.</summary>
    /// <param name="noteId">The current version's id (or a lineage id that no version has).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="MemoryItemNotFoundException">No note has that id.</exception>
    /// <exception cref="NoteConflictException">The id names a version that is not current; nothing is changed.</exception>
    Task<NoteWriteResult> DeleteNoteAsync(string noteId, CancellationToken cancellationToken = default);

    /// <summary>Removes every version of a note for good.</summary>
    /// <param name="noteId">Any version id or the lineage id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many versions were removed (0 when the note is unknown).</returns>
    Task<int> PurgeNoteAsync(string noteId, CancellationToken cancellationToken = default);

    /// <summary>Forgets turns for good: each is removed with its index entries and quarantine entry, redacted from its
    /// episode (rebuilt from the turns that remain, or removed), the note versions drawn only from forgotten turns are
    /// removed and the others lose them from their provenance.</summary>
    /// <param name="turnIds">The turn ids (1 to <see cref="TurnForgetResult.MaxTurnIds"/>); unknown ids are reported, not an error.</param>
    /// <param name="cancellationToken">Cancels the call before anything is changed.</param>
    /// <returns>What was removed.</returns>
    /// <exception cref="MemoryInputException">The list is empty, too long, or holds a blank id.</exception>
    Task<TurnForgetResult> ForgetTurnsAsync(IReadOnlyList<string> turnIds, CancellationToken cancellationToken = default);
}
