using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Client;

/// <summary>A client of the MemoryFabric HTTP API's agent routes (<c>/v1/agents/{agent}/...</c>), authenticated with
/// a tenant key.</summary>
/// <remarks>
/// <para>Every agent method takes the agent's name first (1–128 characters of <c>A-Z a-z 0-9 . _ - @ :</c>); names
/// and note ids are URL-escaped by the client.</para>
/// <para>Errors the server reports throw <see cref="MemoryFabricApiException"/> (status, problem details,
/// <c>Retry-After</c>), except where a method documents <see langword="null"/> for a 404. An attempt that takes longer
/// than <see cref="MemoryFabricClientOptions.Timeout"/> throws <see cref="TimeoutException"/>; cancelling the token
/// throws <see cref="OperationCanceledException"/>.</para>
/// </remarks>
public interface IMemoryFabricClient
{
    /// <summary>Stores turns verbatim in one request (<c>POST /v1/agents/{agent}/turns</c>): the whole batch or nothing.
    /// Idempotent by turn id.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="turns">1 to the server's <c>MaxBatchSize</c> (default 1,000) turns.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The ids stored and the ids skipped as duplicates.</returns>
    /// <exception cref="ArgumentException"><paramref name="turns"/> is empty.</exception>
    Task<IngestResult> IngestAsync(string agent, IReadOnlyList<TurnInput> turns, CancellationToken cancellationToken = default);

    /// <summary>Stores any number of turns in batches of <see cref="MemoryFabricClientOptions.MaxBatchSize"/>, one
    /// request after another. Each batch is atomic, the whole is not: after a failure, the batches before it are
    /// stored (resending everything is safe when the turns have ids).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="turns">The turns; none sends nothing.</param>
    /// <param name="progress">Told the number of turns sent so far after each batch.</param>
    /// <param name="cancellationToken">Cancels the call between (and during) batches.</param>
    /// <returns>The ids stored and skipped, over all batches.</returns>
    Task<IngestResult> IngestAsync(string agent, IEnumerable<TurnInput> turns, IProgress<int>? progress, CancellationToken cancellationToken = default);

    /// <summary>Lists stored turns in conversation order (<c>GET /v1/agents/{agent}/turns</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="sessionId">Only this session's turns, or all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The turns.</returns>
    Task<IReadOnlyList<Turn>> GetTurnsAsync(string agent, string? sessionId = null, CancellationToken cancellationToken = default);

    /// <summary>Lists turns in conversation order a page at a time (<c>GET /v1/agents/{agent}/turns?limit=&amp;cursor=</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="sessionId">Only this session's turns, or all.</param>
    /// <param name="episodeId">Only this episode's turns, or all.</param>
    /// <param name="cursor">The previous page's <see cref="TurnList.NextCursor"/>, or a turn id to start at; the start
    /// when <see langword="null"/>.</param>
    /// <param name="limit">At most this many turns (1–1,000), or every turn from the cursor on.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the cursor of the next one (<see langword="null"/> on the last page).</returns>
    /// <exception cref="MemoryFabricApiException">400 for a limit out of range or a cursor that is not a turn of the
    /// listing; 404 for an unknown agent or episode.</exception>
    Task<TurnList> GetTurnPageAsync(string agent, string? sessionId = null, string? episodeId = null, string? cursor = null, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Gets one turn (<c>GET /v1/agents/{agent}/turns/{turnId}</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="turnId">The turn id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The turn, or <see langword="null"/> when the agent or the turn does not exist.</returns>
    Task<Turn?> GetTurnAsync(string agent, string turnId, CancellationToken cancellationToken = default);

    /// <summary>Lists episodes in conversation order a page at a time (<c>GET /v1/agents/{agent}/episodes</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="sessionId">Only this session's episodes, or all.</param>
    /// <param name="turnId">Only the episode holding this turn (none while consolidation has not cut it into one).</param>
    /// <param name="cursor">The previous page's <see cref="EpisodeList.NextCursor"/>, or an episode id to start at.</param>
    /// <param name="limit">At most this many (1–1,000), or the server's page size (100).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the cursor of the next one.</returns>
    /// <exception cref="MemoryFabricApiException">400 for a bad limit or cursor; 404 for an unknown agent or turn.</exception>
    Task<EpisodeList> GetEpisodesAsync(string agent, string? sessionId = null, string? turnId = null, string? cursor = null, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Lists sessions, oldest first, a page at a time (<c>GET /v1/agents/{agent}/sessions</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="cursor">The previous page's <see cref="SessionList.NextCursor"/>, or a session id to start at.</param>
    /// <param name="limit">At most this many (1–1,000), or the server's page size (100).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the cursor of the next one.</returns>
    /// <exception cref="MemoryFabricApiException">400 for a bad limit or cursor; 404 for an unknown agent.</exception>
    Task<SessionList> GetSessionsAsync(string agent, string? cursor = null, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Counts turns and notes over time in equal intervals (<c>GET /v1/agents/{agent}/activity</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="buckets">How many intervals (1–500), or the server's default (60).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The intervals, oldest first.</returns>
    /// <exception cref="MemoryFabricApiException">400 for a number of intervals out of range; 404 for an unknown agent.</exception>
    Task<AgentActivity> GetActivityAsync(string agent, int? buckets = null, CancellationToken cancellationToken = default);

    /// <summary>Describes an agent's memory (<c>GET /v1/agents/{agent}</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The counts, or <see langword="null"/> when the agent does not exist (never written, purged, or of
    /// another tenant).</returns>
    Task<AgentSummary?> GetAgentAsync(string agent, CancellationToken cancellationToken = default);

    /// <summary>Lists the tenant's agents one page at a time, ordered by name (<c>GET /v1/agents</c>), each with its
    /// counts, approximate stored size and last write.</summary>
    /// <param name="cursor">The <see cref="AgentPage.NextCursor"/> of the previous page, or <see langword="null"/>
    /// for the first page.</param>
    /// <param name="limit">At most this many agents (1–200), or <see langword="null"/> for the server's default
    /// (50).</param>
    /// <param name="prefix">Only agents whose name starts with this, or all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the cursor of the next one (<see langword="null"/> on the last page).</returns>
    /// <exception cref="MemoryFabricApiException">400 when the limit is out of range, the cursor is malformed or the
    /// prefix is not the start of a valid agent name.</exception>
    Task<AgentPage> ListAgentsAsync(string? cursor = null, int? limit = null, string? prefix = null, CancellationToken cancellationToken = default);

    /// <summary>Searches turns, episodes and notes (<c>POST /v1/agents/{agent}/search</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="request">The query.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hits, best first.</returns>
    Task<IReadOnlyList<SearchHit>> SearchAsync(string agent, SearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Searches every agent of the tenant at once (<c>POST /v1/search</c>): a dense search through the
    /// tenant's sharded vector index, narrowed by <see cref="TenantSearchRequest.Agents"/>,
    /// <see cref="TenantSearchRequest.Group"/>, kinds and a time range; it sees writes acknowledged before it started.</summary>
    /// <param name="request">The query and filters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hits, best first, each naming its agent.</returns>
    /// <exception cref="MemoryFabricApiException">400 when the request is invalid or names an unknown relation group.</exception>
    Task<TenantSearchResponse> SearchTenantAsync(TenantSearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Builds the context for a query within a token budget (<c>POST /v1/agents/{agent}/context</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="request">The query and the budget.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rendered context and its items.</returns>
    Task<MemoryContext> GetContextAsync(string agent, ContextRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists notes (<c>GET /v1/agents/{agent}/notes</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="includeInactive">Include superseded, archived and deleted versions.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The notes.</returns>
    Task<IReadOnlyList<Note>> ListNotesAsync(string agent, bool includeInactive = false, CancellationToken cancellationToken = default);

    /// <summary>Adds a note (<c>POST /v1/agents/{agent}/notes</c>): added, a no-op when it duplicates or restates an
    /// active note, merged into an active note it restates and adds to (a new version of that note), or superseding an
    /// active note it contradicts.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="note">The note.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    Task<NoteWriteResult> AddNoteAsync(string agent, NoteWrite note, CancellationToken cancellationToken = default);

    /// <summary>Gets one note version (<c>GET /v1/agents/{agent}/notes/{id}</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="noteId">The version id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The note, or <see langword="null"/> when the note (or the agent) does not exist.</returns>
    Task<Note?> GetNoteAsync(string agent, string noteId, CancellationToken cancellationToken = default);

    /// <summary>Writes a new version of an active note (<c>PUT /v1/agents/{agent}/notes/{id}</c>); the old version is
    /// kept as superseded.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="noteId">The current version's id (or the lineage id).</param>
    /// <param name="note">The new content.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    Task<NoteWriteResult> UpdateNoteAsync(string agent, string noteId, NoteWrite note, CancellationToken cancellationToken = default);

    /// <summary>Writes a new version of a note if it is still at the version the caller read
    /// (<c>PUT /v1/agents/{agent}/notes/{id}</c> with <c>If-Match</c>); the check and the write are one step on the
    /// server, so of two writers that read the same version only the first succeeds.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="noteId">The current version's id (or the lineage id, with <paramref name="expectedVersion"/>).</param>
    /// <param name="note">The new content.</param>
    /// <param name="expectedVersion">The version read (<see cref="Note.Version"/>, the note's ETag);
    /// <see langword="null"/> for no check.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="MemoryFabricConflictException">The note moved on (412: another version is current) or the id
    /// names a version that is no longer current (409); nothing was written. It names the current version.</exception>
    Task<NoteWriteResult> UpdateNoteAsync(string agent, string noteId, NoteWrite note, int? expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Deletes a note (<c>DELETE /v1/agents/{agent}/notes/{id}</c>): its current version becomes a tombstone,
    /// the history is kept.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="noteId">The current version's id (or the lineage id).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened (the tombstone version).</returns>
    Task<NoteWriteResult> DeleteNoteAsync(string agent, string noteId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a note if it is still at the version the caller read (<c>DELETE /v1/agents/{agent}/notes/{id}</c>
    /// with <c>If-Match</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="noteId">The current version's id (or the lineage id, with <paramref name="expectedVersion"/>).</param>
    /// <param name="expectedVersion">The version read (<see cref="Note.Version"/>); <see langword="null"/> for no check.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened (the tombstone version).</returns>
    /// <exception cref="MemoryFabricConflictException">As for
    /// <see cref="UpdateNoteAsync(string, string, NoteWrite, int?, CancellationToken)"/>; nothing was deleted.</exception>
    Task<NoteWriteResult> DeleteNoteAsync(string agent, string noteId, int? expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Removes every version of a note for good (<c>DELETE /v1/agents/{agent}/notes/{id}?purge=true</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="noteId">Any version id or the lineage id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many versions were removed.</returns>
    Task<int> PurgeNoteAsync(string agent, string noteId, CancellationToken cancellationToken = default);

    /// <summary>Removes every version of a note for good and, with <paramref name="forgetSources"/>, forgets the turns
    /// it was drawn from (<c>DELETE /v1/agents/{agent}/notes/{id}?purge=true&amp;forgetSources=true</c>): each removed,
    /// redacted from its episode, the other notes drawn only from it removed, and its text purged from storage, as
    /// <see cref="ForgetTurnsAsync"/> does. Needs the <c>forget</c> scope.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="noteId">Any version id or the lineage id.</param>
    /// <param name="forgetSources">Whether to forget the note's source turns too.</param>
    /// <param name="expectedVersion">The version read (<see cref="Note.Version"/>); <see langword="null"/> for no check.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What was removed: the note's versions and, with <paramref name="forgetSources"/>, what forgetting its
    /// turns removed (<see cref="PurgeResult.Sources"/>).</returns>
    /// <exception cref="MemoryFabricConflictException">The note is no longer at <paramref name="expectedVersion"/>
    /// (412); nothing was removed.</exception>
    Task<PurgeResult> PurgeNoteAsync(string agent, string noteId, bool forgetSources, int? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Forgets turns for good (<c>POST /v1/agents/{agent}/turns/forget</c>; one turn is also
    /// <c>DELETE /v1/agents/{agent}/turns/{turnId}</c>): each turn is removed, redacted from its episode, the notes drawn
    /// only from it removed (others lose it from their provenance), and its text purged from storage. Needs the
    /// <c>forget</c> scope.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="turnIds">The turn ids, 1 to <see cref="TurnForgetResult.MaxTurnIds"/>; unknown ids come back in
    /// <see cref="TurnForgetResult.UnknownTurnIds"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What was removed.</returns>
    Task<TurnForgetResult> ForgetTurnsAsync(string agent, IReadOnlyList<string> turnIds, CancellationToken cancellationToken = default);

    /// <summary>Gets every version of a note, oldest first (<c>GET /v1/agents/{agent}/notes/{id}/history</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="noteId">Any version id or the lineage id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The versions.</returns>
    Task<IReadOnlyList<Note>> GetNoteHistoryAsync(string agent, string noteId, CancellationToken cancellationToken = default);

    /// <summary>Streams an agent's export (<c>GET /v1/agents/{agent}/export</c>, ndjson): each record is yielded as
    /// its line arrives, so an export of any size is never held in memory. The request is sent when enumeration
    /// starts.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The turns, episodes and note versions.</returns>
    IAsyncEnumerable<ExportRecord> ExportAsync(string agent, CancellationToken cancellationToken = default);

    /// <summary>Copies an agent's export (ndjson, as the server sends it) to a stream, e.g. a backup file.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="destination">Where to write; not closed.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <returns>The number of bytes written.</returns>
    Task<long> ExportToAsync(string agent, Stream destination, CancellationToken cancellationToken = default);

    /// <summary>Imports an export (<c>POST /v1/agents/{agent}/import</c>) from ndjson, e.g. a backup file; the stream
    /// is sent as it is read and is not closed. A seekable stream can be retried after a 429/503; another cannot.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="ndjson">The export, one JSON record a line.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many turns and note versions were stored and how many records skipped.</returns>
    Task<ImportResult> ImportAsync(string agent, Stream ndjson, CancellationToken cancellationToken = default);

    /// <summary>Imports records (<c>POST /v1/agents/{agent}/import</c>), serialized as ndjson while they are sent.
    /// The sequence may be enumerated again for a retry.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="records">The records.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many turns and note versions were stored and how many records skipped.</returns>
    Task<ImportResult> ImportAsync(string agent, IEnumerable<ExportRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Imports records as they are produced, e.g. another server's <see cref="ExportAsync"/>, streamed
    /// straight through (<c>POST /v1/agents/{agent}/import</c>). Never retried (the sequence cannot be replayed).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="records">The records.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many turns and note versions were stored and how many records skipped.</returns>
    Task<ImportResult> ImportAsync(string agent, IAsyncEnumerable<ExportRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Consolidates the agent's memory now (<c>POST /v1/agents/{agent}/consolidate</c>): episodes, notes,
    /// links and decay.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What the consolidation did.</returns>
    Task<ConsolidationReport> ConsolidateAsync(string agent, CancellationToken cancellationToken = default);

    /// <summary>Purges an agent for good (<c>DELETE /v1/agents/{agent}</c>): turns, notes, index, snapshots, journal
    /// and reminders.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the agent is gone.</returns>
    Task DeleteAgentAsync(string agent, CancellationToken cancellationToken = default);

    /// <summary>Lists the guard's quarantine of an agent, oldest first (<c>GET /v1/agents/{agent}/quarantine</c>):
    /// the items kept out of retrieval (flagged, confirmed) and those released, each with why and by what.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="status">Only the entries in this state, or all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<QuarantineEntry>> GetQuarantineAsync(string agent, QuarantineStatus? status = null, CancellationToken cancellationToken = default);

    /// <summary>Releases a quarantined item back into retrieval and consolidation
    /// (<c>POST /v1/agents/{agent}/quarantine/{itemId}/release</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="itemId">The item's id (a turn, a note version or an episode), as the quarantine lists it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the release is durable.</returns>
    /// <exception cref="MemoryFabricApiException">404 when the item is not quarantined (or is released already), or
    /// the agent does not exist.</exception>
    Task ReleaseAsync(string agent, string itemId, CancellationToken cancellationToken = default);

    /// <summary>Confirms an item as poisoned (<c>POST /v1/agents/{agent}/quarantine/{itemId}/confirm</c>): it stays
    /// out of retrieval for good (quarantined first when it was not) and the guard distils a lesson from it, so the
    /// same content written again is quarantined at write time.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="itemId">The item's id: a turn, a note version or an episode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lesson (the existing one when the item was confirmed before).</returns>
    /// <exception cref="MemoryFabricApiException">404 when no item has that id, or the agent does not exist.</exception>
    Task<GuardLesson> ConfirmAsync(string agent, string itemId, CancellationToken cancellationToken = default);

    /// <summary>Lists the guard's lessons of an agent, revoked ones included (<c>GET /v1/agents/{agent}/lessons</c>).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lessons, oldest first.</returns>
    Task<IReadOnlyList<GuardLesson>> GetLessonsAsync(string agent, CancellationToken cancellationToken = default);

    /// <summary>Revokes a lesson (<c>DELETE /v1/agents/{agent}/lessons/{lessonId}</c>): it no longer catches
    /// anything; what it quarantined stays quarantined.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="lessonId">The lesson's id (<c>l_...</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the revocation is durable.</returns>
    /// <exception cref="MemoryFabricApiException">404 when there is no such active lesson.</exception>
    Task RevokeLessonAsync(string agent, string lessonId, CancellationToken cancellationToken = default);

    /// <summary>Gets the tenant's guard settings (<c>GET /v1/guard</c>): whether the guard runs, and the relation
    /// groups.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The settings.</returns>
    Task<TenantGuardSettings> GetGuardSettingsAsync(CancellationToken cancellationToken = default);

    /// <summary>Turns the guard on or off for all the tenant's agents (<c>PUT /v1/guard</c>). Each agent picks the
    /// change up within its policy refresh period (30 s by default); items quarantined before stay quarantined.</summary>
    /// <param name="enabled">On or off.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The settings now.</returns>
    Task<TenantGuardSettings> SetGuardEnabledAsync(bool enabled, CancellationToken cancellationToken = default);

    /// <summary>Lists the tenant's relation groups (<c>GET /v1/guard/groups</c>): agents whose trusted memories back
    /// or contradict each other's weak ones.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The groups, by name.</returns>
    Task<IReadOnlyList<RelationGroup>> GetRelationGroupsAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds an agent to a relation group, creating the group (<c>PUT /v1/guard/groups/{group}/members/{agent}</c>);
    /// the agent shares its trusted claims with the group at once. Idempotent.</summary>
    /// <param name="group">The group's name (the same rule as agent names).</param>
    /// <param name="agent">The agent's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group with its members.</returns>
    Task<RelationGroup> AddToRelationGroupAsync(string group, string agent, CancellationToken cancellationToken = default);

    /// <summary>Removes an agent from a relation group (<c>DELETE /v1/guard/groups/{group}/members/{agent}</c>); an
    /// empty group goes away.</summary>
    /// <param name="group">The group's name.</param>
    /// <param name="agent">The agent's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the agent is out of the group.</returns>
    /// <exception cref="MemoryFabricApiException">404 when the agent is not a member of the group.</exception>
    Task RemoveFromRelationGroupAsync(string group, string agent, CancellationToken cancellationToken = default);

    /// <summary>Asks whether the server is ready (<c>GET /readyz</c>, no key needed): storage open and runtime
    /// started.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> on 200, <see langword="false"/> on 503.</returns>
    Task<bool> IsReadyAsync(CancellationToken cancellationToken = default);
}
