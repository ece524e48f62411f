using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;
using MemoryFabric.Orleans.Agents.Catalog;
using MemoryFabric.Orleans.Diagnostics;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MemoryFabric.Orleans.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MemoryFabric.Orleans.Agents;

/// <summary>
/// The grain that owns one agent's memory (key <c>tenant/agent</c>): it hosts an <see cref="AgentMemory"/>, journals
/// every write before acknowledging it, replays snapshot + journal on activation, indexes new items densely in small
/// turns after the write (grain timers), and consolidates on durable Orleans reminders (periodically and after
/// <see cref="AgentMemoryGrainOptions.ConsolidateAfterTurns"/> new turns) and when a session goes idle
/// (<see cref="AgentMemoryGrainOptions.SessionIdleConsolidation"/>), compacting the journal into a snapshot. A
/// consolidation plans off the agent's turn and applies its plan in short turns, so reads never wait long for it
/// (AgentMemoryGrain.Consolidation.cs).
/// The guard follows the tenant's policy (on/off, relation groups), asked of the tenant's guard grain
/// (<see cref="ITenantGuardGrain"/>): the agent shares its trusted claims with its groups after each consolidation and
/// asks for its peers' claims when a weak candidate makes one.
/// </summary>
/// <remarks>Orleans gives it one call at a time (it is not reentrant), a timer tick or a reminder being a turn too;
/// only <see cref="ConsolidateAsync"/> interleaves (it waits for a consolidation that runs off the turn).
/// Its snapshot and journal go to the silo's <see cref="IActorStateStore"/> (SQLite embedded, Azure Blob in a
/// cluster) rather than to whole-state grain storage, so a write costs one journal append, not a rewrite of the
/// agent.</remarks>
public sealed partial class AgentMemoryGrain : Grain, IAgentMemoryGrain, IRemindable
{
    /// <summary>The record type of agent state in the <see cref="IActorStateStore"/>.</summary>
    public const string TypeName = "agent";

    /// <summary>The periodic consolidation reminder.</summary>
    public const string ConsolidationReminder = "consolidate";

    /// <summary>The one-shot reminder set when enough new turns arrived.</summary>
    public const string PendingConsolidationReminder = "consolidate-pending";

    private readonly IAgentMemoryFactory _factory;
    private readonly AgentMemoryGrainOptions _options;
    private readonly AgentMemoryMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ActorStorage _storage;
    private readonly ActorId _id;
    private readonly string? _tenant;
    private readonly string? _agent;
    private readonly AgentCardKeeper _card; // the figures the agent listing reads (Catalog/)

    private AgentMemory _memory;
    private bool _exists;
    private bool _dirty;                 // in-memory state neither the snapshot nor the journal holds (embeddings, consolidation)
    private bool _wroteSinceSnapshot;    // this activation appended to the journal since the last snapshot
    private long _snapshotVersion;
    private long _lastSequence;          // the last journal sequence applied
    private int _journalSinceSnapshot;
    private int _turnsSinceConsolidation;
    private bool _consolidationScheduled;
    private bool _consolidationReminderMissing; // its registration after the first write failed: retried
    private Task _reminderCheck = Task.CompletedTask; // the activation's check of the periodic reminder
    private bool _skipDeactivationSnapshot;
    private IGrainTimer? _embeddingTimer;
    private bool _embedding; // a batch is with the encoder (its timer interleaves): no second timer meanwhile
    private AgentGuardPolicy? _guardPolicy;
    private DateTimeOffset _guardPolicyAt;
    private string? _publishedClaims;      // a digest of the claims last shared with the relation groups
    private GroupPeers? _peers;
    private readonly FabricGrainMetrics? _grainMetrics;

    /// <summary>Creates the grain (Orleans calls <see cref="OnActivateAsync"/> before any other call).</summary>
    /// <param name="store">Where the agent's snapshot and journal live.</param>
    /// <param name="factory">Creates the engine object.</param>
    /// <param name="options">Options; the defaults when none are registered.</param>
    /// <param name="metrics">Instruments; none when <see langword="null"/>.</param>
    /// <param name="logger">A logger.</param>
    /// <param name="time">The clock; the system clock when none is registered.</param>
    /// <param name="grainMetrics">The grain instruments (activations); none when <see langword="null"/>.</param>
    public AgentMemoryGrain(
        IActorStateStore store,
        IAgentMemoryFactory factory,
        AgentMemoryGrainOptions? options = null,
        AgentMemoryMetrics? metrics = null,
        ILogger<AgentMemoryGrain>? logger = null,
        TimeProvider? time = null,
        FabricGrainMetrics? grainMetrics = null)
    {
        _grainMetrics = grainMetrics;
        ArgumentNullException.ThrowIfNull(store);
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        _options = options ?? new AgentMemoryGrainOptions();
        _options.Validate();
        _metrics = metrics;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _memory = _factory.Create();
        var key = this.GetPrimaryKeyString();
        _id = new ActorId(TypeName, key);
        _storage = new ActorStorage(store, _id);
        _card = new AgentCardKeeper(store, key, this, () => _memory.GetStatistics(), _time, _options.CardDelay, _logger);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            _tenant = key[..slash];
            _agent = key[(slash + 1)..];
        }
    }

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await HostStartup.WaitAsync(ServiceProvider, cancellationToken);
        var card = _card.LoadAsync(cancellationToken); // read beside the state
        var state = await _storage.LoadAsync(cancellationToken);
        await card;
        // _memory is fresh from the constructor: nothing has touched it before activation.
        if (state.Snapshot is { } snapshot)
        {
            _memory.RestoreSnapshot(snapshot.Span);
        }

        foreach (var entry in state.Journal)
        {
            _memory.ApplyChanges(MemoryChangeCodec.Decode(entry.Data));
        }

        ApplyGuardPolicy();
        _exists = state.Exists;
        _snapshotVersion = state.SnapshotVersion;
        _lastSequence = state.LastSequence;
        _journalSinceSnapshot = state.Journal.Count;
        _turnsSinceConsolidation = 0;
        _dirty = false;
        _card.Loaded(state);
        AttachOffloadedVectorIndex();
        ScheduleEmbedding();
        if (_exists)
        {
            _reminderCheck = CheckConsolidationReminderAsync(); // off the activation's path: the first call does not wait for it
            WatchUnconsolidatedSessions();
        }

        _grainMetrics?.Activated(TypeName);
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _grainMetrics?.Deactivated(TypeName, reason);
        _embeddingTimer?.Dispose();
        _embeddingTimer = null;
        _idleTimer?.Dispose();
        _idleTimer = null;
        await _reminderCheck; // never fails: a failure is logged
        await OutboxDeactivatingAsync(cancellationToken); // the vector outbox stores its last acknowledgements
        AbandonConsolidations("the agent was deactivated");
        await SettleSnapshotAsync(); // a failed one leaves the agent dirty: snapshotted below
        if (_skipDeactivationSnapshot || !_exists)
        {
            return;
        }

        _card.Deactivating();

        // Compact what this activation changed. An activation that only served reads has nothing to compact (a journal
        // it loaded is compacted by the next activation that writes, or when it reaches SnapshotAfterJournalEntries);
        // the recall statistics its contexts updated are saved as one small journal entry instead of a snapshot.
        if (_dirty || _wroteSinceSnapshot || (_memory.PendingRecallCount > 0 && _journalSinceSnapshot + 1 >= _options.SnapshotAfterJournalEntries))
        {
            await WriteSnapshotAsync(cancellationToken);
        }
        else if (_memory.DrainRecalls() is { } recalled)
        {
            var entry = MemoryChangeCodec.Encode([recalled]);
            _lastSequence = await _storage.AppendAsync([entry], cancellationToken);
            _journalSinceSnapshot++;
            _card.Grew(entry.Length); // not a write of the agent's memory: only the size changed
        }

        await _card.FlushAsync(cancellationToken);
    }

    /// <summary>Stores turns; returns once they are durable in the journal.</summary>
    /// <param name="turns">The turns.</param>
    /// <param name="cancellationToken">Cancels the call before anything is stored.</param>
    /// <returns>What was stored and what was skipped as a duplicate.</returns>
    /// <exception cref="MemoryInputException">A turn is invalid; nothing is stored.</exception>
    public async Task<IngestResult> IngestAsync(IReadOnlyList<TurnInput> turns, CancellationToken cancellationToken = default)
    {
        using var foreground = _options.IndexingGate?.EnterForeground(); // background indexing waits for requests
        await EnsureGuardPolicyAsync(cancellationToken);
        var result = await _memory.IngestAsync(turns, cancellationToken);
        await CommitAsync(cancellationToken);
        if (result.StoredTurnIds.Count > 0)
        {
            _metrics?.TurnsIngested(result.StoredTurnIds.Count);
            _turnsSinceConsolidation += result.StoredTurnIds.Count;
            SessionsWritten(turns.Select(t => t.SessionId).Distinct(StringComparer.Ordinal));
            await ScheduleConsolidationIfDueAsync(CancellationToken.None); // the turns are durable already
        }

        return result;
    }

    /// <summary>Summarizes the agent.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The counts.</returns>
    /// <exception cref="AgentNotFoundException">Nothing is stored for the agent.</exception>
    public Task<AgentMemoryStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default)
    {
        EnsureExists();
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_memory.GetStatistics());
    }

    /// <inheritdoc />
    public Task<AgentCard> GetCardAsync(CancellationToken cancellationToken = default)
    {
        EnsureExists();
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_card.Current);
    }

    /// <summary>Lists turns.</summary>
    /// <param name="sessionId">Only this session, or all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The turns.</returns>
    public Task<IReadOnlyList<Turn>> GetTurnsAsync(string? sessionId, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        return _memory.GetTurnsAsync(sessionId, cancellationToken);
    }

    /// <summary>Hybrid search.</summary>
    /// <param name="request">The query.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hits.</returns>
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        (await GetSearchResponseAsync(request, cancellationToken)).Hits;

    /// <summary>Hybrid search that says whether the answer is degraded.</summary>
    /// <param name="request">The query.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hits and whether they are degraded.</returns>
    public async Task<Api.SearchResponse> GetSearchResponseAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        using var foreground = _options.IndexingGate?.EnterForeground(); // background indexing waits for requests
        EnsureExists();
        _metrics?.Query("search");
        await EnsureGuardPolicyAsync(cancellationToken);
        var response = await _memory.GetSearchResponseAsync(request, cancellationToken);
        await CommitAsync(CancellationToken.None); // what the guard quarantined on the way
        if (response.Degraded)
        {
            _metrics?.Degraded("search");
        }

        return response;
    }

    /// <summary>Builds a context within a token budget. It reinforces the recalled notes, which is not a write: the
    /// next snapshot keeps it, or, when none is due, one small journal entry at deactivation.</summary>
    /// <param name="request">The query and budget.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The context.</returns>
    public async Task<MemoryContext> GetContextAsync(ContextRequest request, CancellationToken cancellationToken = default)
    {
        using var foreground = _options.IndexingGate?.EnterForeground(); // background indexing waits for requests
        EnsureExists();
        _metrics?.Query("context");
        await EnsureGuardPolicyAsync(cancellationToken);
        var context = await _memory.GetContextAsync(request, cancellationToken);
        await CommitAsync(CancellationToken.None); // what the guard quarantined on the way
        if (context.Degraded)
        {
            _metrics?.Degraded("context");
        }

        return context;
    }

    /// <summary>Lists notes.</summary>
    /// <param name="includeInactive">Include superseded, archived and deleted versions.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The notes.</returns>
    public Task<IReadOnlyList<Note>> GetNotesAsync(bool includeInactive, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        return _memory.GetNotesAsync(includeInactive, cancellationToken);
    }

    /// <summary>Gets a note version.</summary>
    /// <param name="noteId">The version id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The note or <see langword="null"/>.</returns>
    public Task<Note?> GetNoteAsync(string noteId, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        return _memory.GetNoteAsync(noteId, cancellationToken);
    }

    /// <summary>Gets a note's versions, oldest first.</summary>
    /// <param name="noteId">Any version id or the lineage id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The versions.</returns>
    public Task<IReadOnlyList<Note>> GetNoteHistoryAsync(string noteId, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        return _memory.GetNoteHistoryAsync(noteId, cancellationToken);
    }

    /// <summary>Adds a note (durable when the task completes).</summary>
    /// <param name="note">The note.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    public Task<NoteWriteResult> AddNoteAsync(NoteWrite note, CancellationToken cancellationToken = default) =>
        WriteNoteAsync(ct => _memory.AddNoteAsync(note, ct), "add", requireExisting: false, cancellationToken);

    /// <summary>Writes a new version of a note (durable when the task completes); the version check is made by the
    /// engine in the same step as the write.</summary>
    /// <param name="noteId">The note.</param>
    /// <param name="note">The new content.</param>
    /// <param name="expectedVersion">The version the caller read; <see langword="null"/> for no check.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    public Task<NoteWriteResult> UpdateNoteAsync(string noteId, NoteWrite note, int? expectedVersion = null, CancellationToken cancellationToken = default) =>
        WriteNoteAsync(ct => _memory.UpdateNoteAsync(noteId, note, expectedVersion, ct), "update", requireExisting: true, cancellationToken);

    /// <summary>Deletes a note: its current version becomes a tombstone (durable when the task completes).</summary>
    /// <param name="noteId">The note.</param>
    /// <param name="expectedVersion">The version the caller read; <see langword="null"/> for no check.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    public Task<NoteWriteResult> DeleteNoteAsync(string noteId, int? expectedVersion = null, CancellationToken cancellationToken = default) =>
        WriteNoteAsync(ct => _memory.DeleteNoteAsync(noteId, expectedVersion, ct), "delete", requireExisting: true, cancellationToken);

    /// <summary>Removes every version of a note for good (durable when the task completes).</summary>
    /// <param name="noteId">The note.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many versions were removed.</returns>
    public async Task<int> PurgeNoteAsync(string noteId, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        var removed = await _memory.PurgeNoteAsync(noteId, cancellationToken);
        await CommitAsync(cancellationToken);
        if (removed > 0)
        {
            _metrics?.NotesWritten(removed, "purge");
            await PublishClaimsAsync(CancellationToken.None); // before the purge, which also wipes the claims' old copy
            await PurgeStorageAsync();
        }

        return removed;
    }

    /// <summary>Removes every version of a note for good and, with <paramref name="forgetSources"/>, forgets its source
    /// turns; durable, and gone from the store's files, when the task completes.</summary>
    /// <param name="noteId">Any version id or the lineage id.</param>
    /// <param name="forgetSources">Whether to forget the note's source turns too.</param>
    /// <param name="expectedVersion">The version the caller read; <see langword="null"/> for no check.</param>
    /// <param name="cancellationToken">Cancels the call before anything is changed.</param>
    /// <returns>What was removed.</returns>
    public async Task<Api.PurgeResult> ForgetNoteAsync(string noteId, bool forgetSources, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        await EnsureGuardPolicyAsync(cancellationToken); // so the claims shared with relation groups are republished
        var result = await _memory.ForgetNoteAsync(noteId, forgetSources, expectedVersion, cancellationToken);
        await CommitAsync(cancellationToken);
        if (result.Purged > 0)
        {
            _metrics?.NotesWritten(result.Purged + (result.Sources?.PurgedNoteIds.Count ?? 0), "purge");
            await PublishClaimsAsync(CancellationToken.None); // before the purge, which also wipes the claims' old copy
            await PurgeStorageAsync();
        }

        return result;
    }

    /// <summary>Forgets turns for good; durable, and gone from the store's files, when the task completes.</summary>
    /// <param name="turnIds">The turn ids.</param>
    /// <param name="cancellationToken">Cancels the call before anything is changed.</param>
    /// <returns>What was removed.</returns>
    public async Task<TurnForgetResult> ForgetTurnsAsync(IReadOnlyList<string> turnIds, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        await EnsureGuardPolicyAsync(cancellationToken); // so the claims shared with relation groups are republished
        var result = await _memory.ForgetTurnsAsync(turnIds, cancellationToken);
        await CommitAsync(cancellationToken);
        if (result.ForgottenTurnIds.Count > 0)
        {
            if (result.PurgedNoteIds.Count > 0)
            {
                _metrics?.NotesWritten(result.PurgedNoteIds.Count, "purge");
            }

            await PublishClaimsAsync(CancellationToken.None); // before the purge, which also wipes the claims' old copy
            await PurgeStorageAsync();
        }

        return result;
    }

    /// <summary>Everything the agent holds, for export.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The turns, episodes and note versions.</returns>
    public async Task<AgentExport> ExportAsync(CancellationToken cancellationToken = default)
    {
        EnsureExists();
        var turns = await _memory.GetTurnsAsync(null, cancellationToken);
        var episodes = await _memory.GetEpisodesAsync(cancellationToken);
        var notes = await _memory.GetNotesAsync(includeInactive: true, cancellationToken);
        return new AgentExport(turns, episodes, notes);
    }

    /// <summary>Imports turns and note versions (ids kept; those already present skipped), durably.</summary>
    /// <param name="turns">The turns.</param>
    /// <param name="notes">The note versions.</param>
    /// <param name="cancellationToken">Cancels the call before anything is stored.</param>
    /// <returns>What was stored.</returns>
    public async Task<AgentImportResult> ImportAsync(IReadOnlyList<Turn> turns, IReadOnlyList<Note> notes, CancellationToken cancellationToken = default)
    {
        using var foreground = _options.IndexingGate?.EnterForeground(); // background indexing waits for requests
        ArgumentNullException.ThrowIfNull(turns);
        ArgumentNullException.ThrowIfNull(notes);
        await EnsureGuardPolicyAsync(cancellationToken);
        var inputs = turns.Select(t => new TurnInput
        {
            Id = t.Id,
            SessionId = t.SessionId,
            Speaker = t.Speaker,
            Role = t.Role,
            Text = t.Text,
            Timestamp = t.Timestamp,
            Metadata = t.Metadata,
            Source = t.Source, // kept: an import must not turn a weak source into a strong one
            Trust = t.Trust,
        }).ToList();
        try
        {
            var stored = 0;
            var skipped = 0;
            foreach (var chunk in inputs.Chunk(_options.ImportBatchSize))
            {
                var result = await _memory.IngestAsync(chunk, cancellationToken);
                stored += result.StoredTurnIds.Count;
                skipped += result.DuplicateTurnIds.Count;
            }

            var importedNotes = notes.Count == 0 ? 0 : await _memory.ImportNotesAsync(notes, cancellationToken);
            await CommitAsync(CancellationToken.None);
            _metrics?.TurnsIngested(stored);
            _metrics?.NotesWritten(importedNotes, "import");
            _turnsSinceConsolidation += stored;
            if (stored > 0)
            {
                SessionsWritten(turns.Select(t => t.SessionId).Distinct(StringComparer.Ordinal));
            }

            await ScheduleConsolidationIfDueAsync(CancellationToken.None); // the turns are durable already
            return new AgentImportResult(stored, importedNotes, skipped + (notes.Count - importedNotes));
        }
        catch (Exception e) when (e is ArgumentException or OperationCanceledException)
        {
            // Part of the import may have reached the engine: drop the in-memory state and reload what is durable.
            Discard();
            throw;
        }
    }

    /// <summary>Removes everything the agent holds, for good: turns, episodes, notes, indexes, snapshot, journal and
    /// reminders.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when something was removed.</returns>
    public async Task<bool> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var existed = _exists;
        await SettleSnapshotAsync(); // no snapshot lands after the clear
        await _card.ClearAsync(cancellationToken); // first: a failure after it leaves no card of a purged agent
        await _storage.ClearAsync(cancellationToken);
        await OutboxPurgeAsync(cancellationToken); // its vectors leave the tenant's shards, for good
        await _reminderCheck; // it registers nothing after the removal
        await UnregisterRemindersAsync();
        Discard();
        await WithdrawClaimsAsync(cancellationToken);
        await _storage.PurgeDeletedAsync(CancellationToken.None); // its text on no file (SQLite: the WAL truncated)
        return existed;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<QuarantineEntry>> GetQuarantineAsync(CancellationToken cancellationToken = default)
    {
        EnsureExists();
        return _memory.GetQuarantineAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> ReleaseAsync(string itemId, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        var released = await _memory.ReleaseAsync(itemId, cancellationToken);
        await CommitAsync(CancellationToken.None);
        return released;
    }

    /// <inheritdoc />
    public async Task<GuardLesson?> ConfirmAsync(string itemId, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        var lesson = await _memory.ConfirmAsync(itemId, cancellationToken);
        await CommitAsync(CancellationToken.None);
        return lesson;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<GuardLesson>> GetLessonsAsync(CancellationToken cancellationToken = default)
    {
        EnsureExists();
        return _memory.GetLessonsAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> RevokeLessonAsync(string lessonId, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        var revoked = await _memory.RevokeLessonAsync(lessonId, cancellationToken);
        await CommitAsync(CancellationToken.None);
        return revoked;
    }

    /// <inheritdoc />
    public async Task<AgentGuardPolicy> RefreshGuardAsync(CancellationToken cancellationToken = default)
    {
        _guardPolicy = null;
        await EnsureGuardPolicyAsync(cancellationToken);
        if (_exists)
        {
            _publishedClaims = null;
            await PublishClaimsAsync(cancellationToken);
        }

        return _guardPolicy ?? new AgentGuardPolicy(true, []);
    }

    /// <inheritdoc />
    /// <remarks>The tick only starts the consolidation: it plans off the agent's turn and applies in a later one.</remarks>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!_exists)
        {
            await UnregisterReminderAsync(reminderName);
            return;
        }

        if (reminderName == PendingConsolidationReminder)
        {
            if (IsConsolidating)
            {
                return; // it ticks again in a minute, after the running one
            }

            await UnregisterReminderAsync(PendingConsolidationReminder);
            _consolidationScheduled = false;
            StartConsolidationIfIdle("turns", null);
        }
        else if (reminderName == ConsolidationReminder)
        {
            StartConsolidationIfIdle("periodic", null);
        }
    }

    private async Task<NoteWriteResult> WriteNoteAsync(Func<CancellationToken, Task<NoteWriteResult>> write, string operation, bool requireExisting, CancellationToken cancellationToken)
    {
        if (requireExisting)
        {
            EnsureExists();
        }

        await EnsureGuardPolicyAsync(cancellationToken);
        var result = await write(cancellationToken);
        await CommitAsync(cancellationToken);
        if (result.Operation != NoteOperation.NoOp)
        {
            _metrics?.NotesWritten(1, operation);
            await PublishClaimsAsync(CancellationToken.None);
        }

        return result;
    }

    // Journals what the engine changed; the caller acknowledges only after this returns.
    private async Task CommitAsync(CancellationToken cancellationToken)
    {
        var changes = _memory.DrainChanges();
        if (changes.Count == 0)
        {
            return;
        }

        await SettleSnapshotAsync(); // storage writes of one agent never overlap
        _metrics?.GuardChanges(changes);
        var first = !_exists;
        try
        {
            // Once the engine has changed, the append must not be abandoned half-way by the caller's token.
            var entry = MemoryChangeCodec.Encode(changes);
            await OutboxBeforeCommitAsync(); // the tenant index learns of pending vectors before the write is acknowledged
            _lastSequence = await _storage.AppendAsync([entry], CancellationToken.None);
            _card.Appended(entry.Length);
        }
        catch
        {
            Discard();
            throw;
        }

        // The write is durable from here on: what follows is bookkeeping, and its failure (a full write queue, say)
        // must not turn an acknowledged write into an error the caller would retry.
        _exists = true;
        _journalSinceSnapshot++;
        _wroteSinceSnapshot = true;
        ScheduleEmbedding();
        if (first || _consolidationReminderMissing)
        {
            try
            {
                await RegisterConsolidationReminderAsync();
                _consolidationReminderMissing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _consolidationReminderMissing = true; // registered again with the next write, or on activation
                _logger.LogWarning(e, "The consolidation reminder of {Actor} could not be registered; retrying with the next write", _id);
            }
        }

        if (_journalSinceSnapshot >= _options.SnapshotAfterJournalEntries)
        {
            try
            {
                await WriteSnapshotAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is not OperationCanceledException and not ActorStateConflictException)
            {
                // The journal holds every change; the next write (or deactivation) tries the snapshot again.
                _logger.LogWarning(e, "The snapshot of {Actor} could not be written; the journal keeps its changes", _id);
            }
        }

        await OutboxAfterCommitAsync(changes); // a forget reaches the tenant's shards in this request
    }

    private async Task ScheduleConsolidationIfDueAsync(CancellationToken cancellationToken)
    {
        if (_turnsSinceConsolidation >= _options.ConsolidateAfterTurns && !_consolidationScheduled)
        {
            // Runs after the turns are durable: a failure to register is retried with the next write.
            try
            {
                await this.RegisterOrUpdateReminder(PendingConsolidationReminder, _options.ConsolidationDelay, TimeSpan.FromMinutes(1), cancellationToken);
                _consolidationScheduled = true;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "The consolidation of {Actor} could not be scheduled; retrying with the next write", _id);
            }
        }
    }

    // After a purge or a forget (journaled by CommitAsync): a fresh snapshot replaces the journal entries that held
    // the removed data, and the store wipes what was deleted from its files (SQLite: zeroed pages, empty WAL).
    private async Task PurgeStorageAsync()
    {
        try
        {
            await WriteSnapshotAsync(CancellationToken.None);
        }
        catch
        {
            Discard(); // the journal holds the forget: the next activation replays it
            throw;
        }

        await _storage.PurgeDeletedAsync(CancellationToken.None);
    }

    private async Task WriteSnapshotAsync(CancellationToken cancellationToken)
    {
        await SettleSnapshotAsync(); // a consolidation's snapshot still being written goes first
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        _memory.WriteSnapshot(buffer);
        _snapshotVersion = await _storage.WriteSnapshotAsync(buffer.WrittenMemory, _lastSequence, _snapshotVersion, cancellationToken);
        _card.SnapshotWritten(buffer.WrittenCount);
        _journalSinceSnapshot = 0;
        _wroteSinceSnapshot = false;
        _dirty = false;
        _memory.DrainRecalls(); // the snapshot holds the recall statistics

    }

    private void ScheduleEmbedding()
    {
        ScheduleOutboxFlush(); // the dense items may have changed: the vector outbox ships them
        if (_embeddingTimer is null && !_embedding && _memory.PendingEmbeddingCount > 0)
        {
            _embeddingTimer = StartEmbeddingTimer(_options.EmbeddingDelay);
        }
    }

    private async Task EmbedPendingAsync(CancellationToken cancellationToken)
    {
        // The timer that fired is one-shot: forget it, but dispose it only after this tick (disposing a grain timer
        // cancels the token of the callback it is running).
        using var fired = _embeddingTimer;
        _embeddingTimer = null;
        var gate = _options.IndexingGate;
        if (gate is not null && !gate.TryEnter())
        {
            // Other agents are embedding: leave the cores to requests and try again shortly.
            _embeddingTimer = StartEmbeddingTimer(_options.EmbeddingDelay);
            return;
        }

        _embedding = true;
        try
        {
            var embedded = await _memory.EmbedPendingAsync(_options.EmbeddingBatchSize, cancellationToken);
            if (embedded > 0)
            {
                _dirty = true;
                _metrics?.Embedded(embedded);
                ScheduleOutboxFlush();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Dense indexing of {Actor} failed; retrying later", _id);
            _embeddingTimer = StartEmbeddingTimer(TimeSpan.FromSeconds(5));
            return;
        }
        finally
        {
            _embedding = false;
            gate?.Exit();
        }

        if (_memory.PendingEmbeddingCount > 0 && _embeddingTimer is null)
        {
            _embeddingTimer = StartEmbeddingTimer(TimeSpan.Zero);
        }
    }

    // Asks the tenant's guard actor for the policy when the copy is older than GuardPolicyRefresh. A failure keeps
    // the previous policy (or the guard's own options) and is retried at the next refresh: the guard's settings must
    // not make writes fail.
    private async Task EnsureGuardPolicyAsync(CancellationToken cancellationToken)
    {
        if (_tenant is null || _agent is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (_guardPolicy is not null && now - _guardPolicyAt < _options.GuardPolicyRefresh)
        {
            return;
        }

        try
        {
            _guardPolicy = await TenantGuard.GetPolicyAsync(_agent, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "The guard policy of {Actor} could not be loaded; keeping the previous one", _id);
            _guardPolicy ??= new AgentGuardPolicy(true, []);
        }

        _guardPolicyAt = now;
        ApplyGuardPolicy();
    }

    private void ApplyGuardPolicy()
    {
        _memory.GuardSuspended = _guardPolicy is { Enabled: false };
        _memory.ConsensusPeers = _guardPolicy is { Groups.Count: > 0 } ? _peers ??= new GroupPeers(this) : null;
    }

    // Shares the agent's trusted claims with its relation groups when they changed. Best effort: a failure is logged
    // and retried after the next consolidation or note write.
    private async Task PublishClaimsAsync(CancellationToken cancellationToken)
    {
        if (_tenant is null || _agent is null || _guardPolicy is not { Groups.Count: > 0 })
        {
            return;
        }

        var claims = _memory.GetTrustedClaims();
        var digest = string.Join("\n", claims.Select(c => $"{c.Subject}|{c.Attribute}|{c.Value}|{c.Sources}"));
        if (digest == _publishedClaims)
        {
            return;
        }

        try
        {
            await TenantGuard.PublishClaimsAsync(_agent, claims, cancellationToken);
            _publishedClaims = digest;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "The trusted claims of {Actor} could not be shared with its relation groups", _id);
        }
    }

    // A purged agent's claims leave its relation groups too (peers must not corroborate with forgotten memories).
    private async Task WithdrawClaimsAsync(CancellationToken cancellationToken)
    {
        if (_tenant is null || _agent is null)
        {
            return;
        }

        await TenantGuard.PublishClaimsAsync(_agent, [], cancellationToken);
        _publishedClaims = null;
    }

    private void EnsureExists()
    {
        if (!_exists)
        {
            // Don't keep an empty activation around for a name nobody wrote to.
            DeactivateWithoutSnapshot();
            throw new AgentNotFoundException($"The agent '{this.GetPrimaryKeyString()}' does not exist.");
        }
    }

    private void Discard()
    {
        _embeddingTimer?.Dispose();
        _embeddingTimer = null;
        _idleTimer?.Dispose();
        _idleTimer = null;
        AbandonConsolidations("the agent was reloaded after a failed write or purged");
        _card.Stop();
        _memory = _factory.Create();
        ApplyGuardPolicy();
        AttachOffloadedVectorIndex();
        _exists = false;
        DeactivateWithoutSnapshot();
    }

    private ITenantGuardGrain TenantGuard => GrainFactory.GetGrain<ITenantGuardGrain>(_tenant!);

    private IGrainTimer StartEmbeddingTimer(TimeSpan dueTime) => this.RegisterGrainTimer(
        async ct =>
        {
            try
            {
                await EmbedPendingAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The activation is going away (its timers are cancelled): not an error.
            }
        },
        // Interleaved: while the encoder works on a batch (off the grain's scheduler), searches, contexts and writes
        // run; the batch is checked against what they changed when its vectors come back (AgentMemory.EmbedPendingAsync).
        new GrainTimerCreationOptions { DueTime = dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime, Period = Timeout.InfiniteTimeSpan, Interleave = true, KeepAlive = false });

    // Drops the in-memory state without a snapshot (after a failed write, or for a name nobody wrote to), so that the
    // next call reloads what is durable.
    private void DeactivateWithoutSnapshot()
    {
        _skipDeactivationSnapshot = true;
        DeactivateOnIdle();
    }

    // The periodic consolidation reminder: registered with the first write, and again on activation when it is
    // missing (a data directory from before reminders lived in Orleans' reminder table) or has another period than
    // ConsolidationPeriod (the setting changed since it was registered).
    // Runs on the activation's scheduler beside its first calls (it touches only the reminder table); a failure is
    // retried with the next write, as after a failed first registration.
    private async Task CheckConsolidationReminderAsync()
    {
        try
        {
            if (await RegisteredPeriodAsync(ConsolidationReminder) != _options.ConsolidationPeriod)
            {
                await RegisterConsolidationReminderAsync();
            }
        }
        catch (Exception e)
        {
            _consolidationReminderMissing = true;
            _logger.LogWarning(e, "The consolidation reminder of {Actor} could not be checked; retrying with the next write", _id);
        }
    }

    private Task<IGrainReminder> RegisterConsolidationReminderAsync() =>
        this.RegisterOrUpdateReminder(ConsolidationReminder, _options.ConsolidationPeriod, _options.ConsolidationPeriod);

    private async Task UnregisterReminderAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private async Task UnregisterRemindersAsync()
    {
        foreach (var reminder in await this.GetReminders())
        {
            await this.UnregisterReminder(reminder);
        }
    }

    // The agent's relation-group peers, asked through the tenant's guard actor (from within this actor's turn; the
    // guard actor never calls back, so there is no cycle), or through the tenant's shards when
    // TenantIndexOptions.ConsensusThroughShards is on (Guard/ShardConsensusPeers.cs).
    private sealed class GroupPeers(AgentMemoryGrain owner) : IConsensusPeers
    {
        private ShardConsensusPeers? _shards;

        public async Task<IReadOnlyList<ConsensusClaim>> GetClaimsAsync(IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default)
        {
            try
            {
                if (owner.OutboxOptions is { Enabled: true, ConsensusThroughShards: true })
                {
                    _shards ??= new ShardConsensusPeers(owner.GrainFactory, owner.ServiceProvider, owner._tenant!, owner._agent!, () => owner._guardPolicy, owner._logger);
                    return await _shards.GetClaimsAsync(subjects, cancellationToken);
                }

                return await owner.TenantGuard.GetPeerClaimsAsync(owner._agent!, subjects, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Retrieval goes on with the agent's own memories: a missing peer view must not fail a search.
                owner._logger.LogWarning(e, "The relation-group claims for {Actor} could not be loaded", owner._id);
                return [];
            }
        }
    }
}
