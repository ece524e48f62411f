using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Orleans.Agents;

/// <summary>An agent's memory as a grain (key <c>tenant/agent</c>), answered by <see cref="AgentMemoryGrain"/>.
/// Everything a caller sends and receives is a plain MemoryFabric record (immutable by contract: within a silo it
/// is passed by reference, across silos it travels as JSON).</summary>
[Alias("memoryfabric.agent")]
public interface IAgentMemoryGrain : IGrainWithStringKey
{
    /// <summary>Stores turns; returns once they are durable.</summary>
    /// <param name="turns">The turns.</param>
    /// <param name="cancellationToken">Cancels the call before anything is stored.</param>
    /// <returns>What was stored and what was skipped as a duplicate.</returns>
    Task<IngestResult> IngestAsync(IReadOnlyList<TurnInput> turns, CancellationToken cancellationToken = default);

    /// <summary>Summarizes the agent.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The counts.</returns>
    Task<AgentMemoryStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default);

    /// <summary>The agent's card as it is now: the figures the agent listing shows (<see cref="Catalog.IAgentListGrain"/>
    /// asks for it only when no card is stored yet).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The card.</returns>
    /// <exception cref="AgentNotFoundException">Nothing is stored for the agent.</exception>
    Task<Catalog.AgentCard> GetCardAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists turns.</summary>
    /// <param name="sessionId">Only this session, or all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The turns.</returns>
    Task<IReadOnlyList<Turn>> GetTurnsAsync(string? sessionId, CancellationToken cancellationToken = default);

    /// <summary>Hybrid search (the guard's consensus screens the candidates).</summary>
    /// <param name="request">The query.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hits.</returns>
    Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Hybrid search that also says whether the answer is degraded (ranked on lexical signals alone because
    /// the embedder could not start on the query within its deadline).</summary>
    /// <param name="request">The query.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hits and whether they are degraded.</returns>
    Task<Api.SearchResponse> GetSearchResponseAsync(SearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Builds a context within a token budget.</summary>
    /// <param name="request">The query and budget.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The context.</returns>
    Task<MemoryContext> GetContextAsync(ContextRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists notes.</summary>
    /// <param name="includeInactive">Include superseded, archived and deleted versions.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The notes.</returns>
    Task<IReadOnlyList<Note>> GetNotesAsync(bool includeInactive, CancellationToken cancellationToken = default);

    /// <summary>Gets a note version.</summary>
    /// <param name="noteId">The version id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The note or <see langword="null"/>.</returns>
    Task<Note?> GetNoteAsync(string noteId, CancellationToken cancellationToken = default);

    /// <summary>Gets a note's versions, oldest first.</summary>
    /// <param name="noteId">Any version id or the lineage id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The versions.</returns>
    Task<IReadOnlyList<Note>> GetNoteHistoryAsync(string noteId, CancellationToken cancellationToken = default);

    /// <summary>Adds a note (durable when the task completes).</summary>
    /// <param name="note">The note.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    Task<NoteWriteResult> AddNoteAsync(NoteWrite note, CancellationToken cancellationToken = default);

    /// <summary>Writes a new version of a note (durable when the task completes); the version check and the write are
    /// one step of the grain (see <see cref="AgentMemory.UpdateNoteAsync(string, NoteWrite, int?, CancellationToken)"/>).</summary>
    /// <param name="noteId">The note.</param>
    /// <param name="note">The new content.</param>
    /// <param name="expectedVersion">The version the caller read (the note's ETag); <see langword="null"/> for no check.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="NoteConflictException">The id names a version that is not current, or the current version is
    /// not <paramref name="expectedVersion"/>; nothing is changed.</exception>
    Task<NoteWriteResult> UpdateNoteAsync(string noteId, NoteWrite note, int? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a note: its current version becomes a tombstone (durable when the task completes).</summary>
    /// <param name="noteId">The note.</param>
    /// <param name="expectedVersion">The version the caller read (the note's ETag); <see langword="null"/> for no check.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="NoteConflictException">As for <see cref="UpdateNoteAsync"/>.</exception>
    Task<NoteWriteResult> DeleteNoteAsync(string noteId, int? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Removes every version of a note for good (durable when the task completes).</summary>
    /// <param name="noteId">The note.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many versions were removed.</returns>
    Task<int> PurgeNoteAsync(string noteId, CancellationToken cancellationToken = default);

    /// <summary>Removes every version of a note for good and, with <paramref name="forgetSources"/>, forgets the turns
    /// it was drawn from (<see cref="AgentMemory.ForgetNoteAsync"/>); when the task completes a fresh snapshot without
    /// them has replaced the journal entries that held them and the store has purged the deleted data from its files.</summary>
    /// <param name="noteId">Any version id or the lineage id.</param>
    /// <param name="forgetSources">Whether to forget the note's source turns too.</param>
    /// <param name="expectedVersion">The version the caller read (the note's ETag); <see langword="null"/> for no check.</param>
    /// <param name="cancellationToken">Cancels the call before anything is changed.</param>
    /// <returns>What was removed (<see cref="Api.PurgeResult.Purged"/> 0 when the note is unknown).</returns>
    Task<Api.PurgeResult> ForgetNoteAsync(string noteId, bool forgetSources, int? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Forgets turns for good (see <see cref="IAgentMemory.ForgetTurnsAsync"/>); when the task completes a
    /// fresh snapshot without them has replaced the journal entries that held them and the store has purged the deleted
    /// data from its files.</summary>
    /// <param name="turnIds">The turn ids (1 to <see cref="TurnForgetResult.MaxTurnIds"/>).</param>
    /// <param name="cancellationToken">Cancels the call before anything is changed.</param>
    /// <returns>What was removed.</returns>
    Task<TurnForgetResult> ForgetTurnsAsync(IReadOnlyList<string> turnIds, CancellationToken cancellationToken = default);

    /// <summary>Everything the agent holds, for export.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The turns, episodes and note versions.</returns>
    Task<AgentExport> ExportAsync(CancellationToken cancellationToken = default);

    /// <summary>Imports turns and note versions (ids kept; those already present skipped), durably.</summary>
    /// <param name="turns">The turns.</param>
    /// <param name="notes">The note versions.</param>
    /// <param name="cancellationToken">Cancels the call before anything is stored.</param>
    /// <returns>What was stored.</returns>
    Task<AgentImportResult> ImportAsync(IReadOnlyList<Turn> turns, IReadOnlyList<Note> notes, CancellationToken cancellationToken = default);

    /// <summary>Consolidates now and compacts the journal into a snapshot; returns once the result is applied. The
    /// agent keeps serving other calls meanwhile (this call interleaves: the consolidation plans off the agent's
    /// turn and applies its plan in short turns).</summary>
    /// <param name="cancellationToken">Stops waiting (the consolidation goes on).</param>
    /// <returns>What the consolidation did.</returns>
    /// <remarks>A large agent's consolidation can take longer than Orleans' default response timeout (30 s); the caller
    /// waits up to 10 minutes (the HTTP request's own timeout or cancellation still applies).</remarks>
    [global::Orleans.Concurrency.AlwaysInterleave]
    [ResponseTimeout("00:10:00")]
    Task<ConsolidationReport> ConsolidateAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes everything the agent holds, for good.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when something was removed.</returns>
    Task<bool> PurgeAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists the guard's quarantine: flagged, confirmed and released items, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<QuarantineEntry>> GetQuarantineAsync(CancellationToken cancellationToken = default);

    /// <summary>Releases a quarantined item back into retrieval (durable when the task completes).</summary>
    /// <param name="itemId">The item.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when it is not quarantined (or already released).</returns>
    Task<bool> ReleaseAsync(string itemId, CancellationToken cancellationToken = default);

    /// <summary>Confirms an item as poisoned (quarantining it if it was not) and distils a lesson from it.</summary>
    /// <param name="itemId">The item.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lesson, or <see langword="null"/> when the item does not exist.</returns>
    Task<GuardLesson?> ConfirmAsync(string itemId, CancellationToken cancellationToken = default);

    /// <summary>Lists the guard's lessons, revoked ones included.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lessons.</returns>
    Task<IReadOnlyList<GuardLesson>> GetLessonsAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes a lesson: it no longer catches anything (durable when the task completes).</summary>
    /// <param name="lessonId">The lesson.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when there is no such active lesson.</returns>
    Task<bool> RevokeLessonAsync(string lessonId, CancellationToken cancellationToken = default);

    /// <summary>Reloads the tenant's guard policy (on/off, relation groups) and shares the agent's trusted claims
    /// with its groups; called after the policy changed.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The policy now in force.</returns>
    Task<AgentGuardPolicy> RefreshGuardAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists turns in conversation order, a page at a time (<see cref="AgentMemory.GetTurnPage"/>).</summary>
    /// <param name="sessionId">Only this session, or all.</param>
    /// <param name="episodeId">Only this episode, or all.</param>
    /// <param name="cursor">Where the page starts: a previous page's next cursor or a turn id.</param>
    /// <param name="limit">At most this many, or all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    Task<MemoryFabric.Api.TurnList> GetTurnPageAsync(string? sessionId, string? episodeId, string? cursor, int? limit, CancellationToken cancellationToken = default);

    /// <summary>Gets one turn.</summary>
    /// <param name="turnId">The turn id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The turn or <see langword="null"/>.</returns>
    Task<Turn?> GetTurnAsync(string turnId, CancellationToken cancellationToken = default);

    /// <summary>Lists episodes in conversation order, a page at a time (<see cref="AgentMemory.GetEpisodePage"/>).</summary>
    /// <param name="sessionId">Only this session, or all.</param>
    /// <param name="turnId">Only the episode holding this turn.</param>
    /// <param name="cursor">Where the page starts: a previous page's next cursor or an episode id.</param>
    /// <param name="limit">At most this many, or the default page size.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    Task<MemoryFabric.Api.EpisodeList> GetEpisodePageAsync(string? sessionId, string? turnId, string? cursor, int? limit, CancellationToken cancellationToken = default);

    /// <summary>Lists sessions, oldest first, a page at a time (<see cref="AgentMemory.GetSessionPage"/>).</summary>
    /// <param name="cursor">Where the page starts: a previous page's next cursor or a session id.</param>
    /// <param name="limit">At most this many, or the default page size.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    Task<MemoryFabric.Api.SessionList> GetSessionPageAsync(string? cursor, int? limit, CancellationToken cancellationToken = default);

    /// <summary>Counts turns and notes over time (<see cref="AgentMemory.GetActivity"/>).</summary>
    /// <param name="buckets">How many equal intervals.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The intervals.</returns>
    Task<MemoryFabric.Api.AgentActivity> GetActivityAsync(int buckets, CancellationToken cancellationToken = default);
}
