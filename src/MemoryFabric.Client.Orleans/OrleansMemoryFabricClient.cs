using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Resilience;
using MemoryFabric.Orleans.Agents.Catalog;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Retrieval;
using MemoryFabric.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Runtime;

namespace MemoryFabric.Client.Orleans;

/// <summary>An <see cref="IMemoryFabricClient"/> that calls the fabric's grains directly (no HTTP), bound to one
/// tenant: every agent it reaches is <c>tenant/agent</c>, the tenant fixed at construction and the agent name checked
/// against <see cref="AgentNames.Rule"/> (so it never holds a <c>/</c>), so no call can reach another tenant's
/// agent.</summary>
/// <remarks>
/// <para>It behaves as <see cref="MemoryFabricClient"/> does against a server with a tenant key without a trust cap:
/// the same results and the same errors (<see cref="MemoryFabricApiException"/> with the status and problem the server
/// would send: 400 for an invalid agent name or request, 404 for an agent that does not exist, <see langword="null"/>
/// where a method documents it for a 404). The argument checks the HTTP client makes itself
/// (<see cref="ArgumentException"/>) are made the same way. Nothing reaches a grain before the arguments are
/// checked.</para>
/// <para>What differs: there are no retries (a grain call is not throttled with 429/503); a call that outlasts
/// Orleans' response timeout throws <see cref="TimeoutException"/>; Orleans' own failures (the cluster unreachable,
/// a gateway too busy: <see cref="OrleansException"/>) propagate unchanged, as the HTTP client's
/// <see cref="HttpRequestException"/> does; any other failure inside a grain becomes a 500 with the cause as
/// <see cref="Exception.InnerException"/>. An export is one grain call that returns the whole agent (then enumerated)
/// and an import one grain call with all the records, both bounded by Orleans' message size.</para>
/// <para>Thread-safe; one instance per tenant can serve a whole application. Register it with
/// <see cref="OrleansMemoryFabricClientBuilderExtensions.AddMemoryFabric"/> (an Orleans client) or
/// <see cref="OrleansMemoryFabricClientBuilderExtensions.AddMemoryFabricClient"/> (co-hosted in a silo). Its awaits
/// resume where the caller's did, so grain code may call it.</para>
/// </remarks>
public sealed partial class OrleansMemoryFabricClient : IMemoryFabricClient
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly IGrainFactory _grains;
    private readonly int _maxBatchSize;
    private readonly ILogger _logger;
    private readonly ClusterCallRetry _retry;

    /// <summary>Initializes a new instance bound to <paramref name="tenant"/>.</summary>
    /// <param name="grainFactory">The grain factory: an Orleans client's (<c>IClusterClient</c>) or a silo's.</param>
    /// <param name="tenant">The tenant every call is made for: 1 to 64 characters of <c>a-z 0-9 -</c>, starting
    /// with a letter or a digit (the tenant directory's rule). It need not be in the tenant directory, which only
    /// holds the HTTP API's keys.</param>
    /// <param name="options">The limits; the defaults when <see langword="null"/>.</param>
    /// <param name="logger">Logs what is not reported to the caller (a failed guard refresh); none when
    /// <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is not a tenant id.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public OrleansMemoryFabricClient(
        IGrainFactory grainFactory,
        string tenant,
        OrleansMemoryFabricClientOptions? options = null,
        ILogger<OrleansMemoryFabricClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(grainFactory);
        TenantIds.Check(tenant, nameof(tenant));
        options ??= new OrleansMemoryFabricClientOptions();
        options.Validate();
        _grains = grainFactory;
        Tenant = tenant;
        _maxBatchSize = options.MaxBatchSize;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _retry = new ClusterCallRetry(new ClusterCallRetryOptions { Budget = options.RetryBudget });
    }

    /// <summary>The tenant every call is made for.</summary>
    public string Tenant { get; }

    /// <inheritdoc />
    public async Task<IngestResult> IngestAsync(string agent, IReadOnlyList<TurnInput> turns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turns);
        if (turns.Count == 0)
        {
            throw new ArgumentException("At least one turn is required.", nameof(turns));
        }

        _ = AgentKey(agent);
        if (turns.Count > _maxBatchSize)
        {
            throw FabricErrors.Invalid(nameof(IngestAsync), $"A batch holds at most {_maxBatchSize} turns; this one has {turns.Count}. Split it (MaxBatchSize).");
        }

        // Tried again while the agent's silo is unreachable only when every turn has an id (then nothing is stored twice).
        return turns.All(t => t is not null && !string.IsNullOrEmpty(t.Id))
            ? await IdempotentCallAsync(agent, (g, ct) => g.IngestAsync(turns, ct), cancellationToken)
            : await CallAsync(agent, (g, ct) => g.IngestAsync(turns, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IngestResult> IngestAsync(string agent, IEnumerable<TurnInput> turns, IProgress<int>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turns);
        _ = AgentKey(agent);
        var stored = new List<string>();
        var duplicates = new List<string>();
        var sent = 0;
        foreach (var batch in turns.Chunk(_maxBatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await IngestAsync(agent, batch, cancellationToken);
            stored.AddRange(result.StoredTurnIds);
            duplicates.AddRange(result.DuplicateTurnIds);
            sent += batch.Length;
            progress?.Report(sent);
        }

        return new IngestResult(stored, duplicates);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Turn>> GetTurnsAsync(string agent, string? sessionId = null, CancellationToken cancellationToken = default) =>
        await IdempotentCallAsync(agent, (g, ct) => g.GetTurnsAsync(sessionId, ct), cancellationToken);

    /// <inheritdoc />
    public async Task<AgentSummary?> GetAgentAsync(string agent, CancellationToken cancellationToken = default)
    {
        try
        {
            var stats = await IdempotentCallAsync(agent, (g, ct) => g.GetStatisticsAsync(ct), cancellationToken);
            return new AgentSummary(agent, stats.Turns, stats.Episodes, stats.ActiveNotes, stats.PendingEmbeddings);
        }
        catch (MemoryFabricApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<AgentPage> ListAgentsAsync(string? cursor = null, int? limit = null, string? prefix = null, CancellationToken cancellationToken = default)
    {
        try
        {
            _ = AgentListQuery.Parse(cursor, limit, prefix); // checked before any grain is called, as the server does
            return await _grains.GetGrain<IAgentListGrain>(Tenant).ListAsync(cursor, limit, prefix, cancellationToken);
        }
        catch (Exception e) when (FabricErrors.Translate(e, nameof(ListAgentsAsync), agent: null) is { } error)
        {
            throw error;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string agent, SearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await IdempotentCallAsync(agent, (g, ct) => g.SearchAsync(request, ct), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>The query is embedded in the silo (with the embedder the agents use) by the tenant's search grain
    /// (<see cref="MemoryFabric.Orleans.TenantIndex.ITenantSearchGrain"/>), keyed by this client's tenant.</remarks>
    public async Task<TenantSearchResponse> SearchTenantAsync(TenantSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            MemoryFabric.Orleans.TenantIndex.TenantSearchRequests.Validate(request); // checked before any grain is called, as the server does
            var grain = _grains.GetGrain<MemoryFabric.Orleans.TenantIndex.ITenantSearchGrain>(Tenant);
            return await _retry.InvokeAsync(ct => grain.SearchAsync(request, ct), idempotent: true, cancellationToken);
        }
        catch (Exception e) when (FabricErrors.Translate(e, nameof(SearchTenantAsync), agent: null) is { } error)
        {
            throw error;
        }
    }

    /// <inheritdoc />
    public async Task<MemoryContext> GetContextAsync(string agent, ContextRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await IdempotentCallAsync(agent, (g, ct) => g.GetContextAsync(request, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Note>> ListNotesAsync(string agent, bool includeInactive = false, CancellationToken cancellationToken = default) =>
        await IdempotentCallAsync(agent, (g, ct) => g.GetNotesAsync(includeInactive, ct), cancellationToken);

    /// <inheritdoc />
    public async Task<NoteWriteResult> AddNoteAsync(string agent, NoteWrite note, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(note);
        return await CallAsync(agent, (g, ct) => g.AddNoteAsync(note, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Note?> GetNoteAsync(string agent, string noteId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(noteId);
        try
        {
            return await IdempotentCallAsync(agent, (g, ct) => g.GetNoteAsync(noteId, ct), cancellationToken);
        }
        catch (MemoryFabricApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public Task<NoteWriteResult> UpdateNoteAsync(string agent, string noteId, NoteWrite note, CancellationToken cancellationToken = default) =>
        UpdateNoteAsync(agent, noteId, note, expectedVersion: null, cancellationToken);

    /// <inheritdoc />
    public async Task<NoteWriteResult> UpdateNoteAsync(string agent, string noteId, NoteWrite note, int? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentException.ThrowIfNullOrWhiteSpace(noteId);
        CheckVersion(expectedVersion);
        return await CallAsync(agent, (g, ct) => g.UpdateNoteAsync(noteId, note, expectedVersion, ct), cancellationToken);
    }

    /// <inheritdoc />
    public Task<NoteWriteResult> DeleteNoteAsync(string agent, string noteId, CancellationToken cancellationToken = default) =>
        DeleteNoteAsync(agent, noteId, expectedVersion: null, cancellationToken);

    /// <inheritdoc />
    public async Task<NoteWriteResult> DeleteNoteAsync(string agent, string noteId, int? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(noteId);
        CheckVersion(expectedVersion);
        return await CallAsync(agent, (g, ct) => g.DeleteNoteAsync(noteId, expectedVersion, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<int> PurgeNoteAsync(string agent, string noteId, CancellationToken cancellationToken = default) =>
        (await PurgeNoteAsync(agent, noteId, forgetSources: false, expectedVersion: null, cancellationToken)).Purged;

    /// <inheritdoc />
    public async Task<PurgeResult> PurgeNoteAsync(string agent, string noteId, bool forgetSources, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(noteId);
        CheckVersion(expectedVersion);
        var result = await CallAsync(agent, (g, ct) => g.ForgetNoteAsync(noteId, forgetSources, expectedVersion, ct), cancellationToken);
        return result.Purged == 0 ? throw FabricErrors.NotFound(nameof(PurgeNoteAsync), $"No note with id '{noteId}'.") : result;
    }

    /// <inheritdoc />
    public async Task<TurnForgetResult> ForgetTurnsAsync(string agent, IReadOnlyList<string> turnIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turnIds);
        if (turnIds.Count is 0 or > TurnForgetResult.MaxTurnIds || turnIds.Any(string.IsNullOrWhiteSpace))
        {
            throw FabricErrors.Invalid(nameof(ForgetTurnsAsync), $"Forget 1 to {TurnForgetResult.MaxTurnIds} non-blank turn ids at a time; {turnIds.Count} were given.");
        }

        return await CallAsync(agent, (g, ct) => g.ForgetTurnsAsync(turnIds, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Note>> GetNoteHistoryAsync(string agent, string noteId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(noteId);
        var versions = await IdempotentCallAsync(agent, (g, ct) => g.GetNoteHistoryAsync(noteId, ct), cancellationToken);
        return versions.Count == 0 ? throw FabricErrors.NotFound(nameof(GetNoteHistoryAsync), $"No note with id '{noteId}'.") : versions;
    }

    /// <inheritdoc />
    /// <remarks>The grain answers with the whole export in one call, which is then enumerated record by record; the
    /// call is made when enumeration starts.</remarks>
    public IAsyncEnumerable<ExportRecord> ExportAsync(string agent, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agent);
        return ReadExportAsync(agent, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>The lines are those the server writes: one <see cref="ExportRecord"/> a line, in
    /// <see cref="MemoryFabricJson.Options"/>' JSON, turns then episodes then note versions.</remarks>
    public async Task<long> ExportToAsync(string agent, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var export = await IdempotentCallAsync(agent, (g, ct) => g.ExportAsync(ct), cancellationToken);
        long total = 0;
        foreach (var record in Records(export))
        {
            var line = JsonSerializer.SerializeToUtf8Bytes(record, MemoryFabricJson.Options);
            await destination.WriteAsync(line, cancellationToken);
            await destination.WriteAsync(NewLine, cancellationToken);
            total += line.Length + NewLine.Length;
        }

        await destination.FlushAsync(cancellationToken);
        return total;
    }

    /// <inheritdoc />
    /// <remarks>The stream is read to its end before the grain is called (the server reads the whole body too).</remarks>
    public async Task<ImportResult> ImportAsync(string agent, Stream ndjson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ndjson);
        _ = AgentKey(agent);
        var records = new ExportRecordSet();
        using (var reader = new StreamReader(ndjson, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 16 * 1024, leaveOpen: true))
        {
            var lineNumber = 0;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                ExportRecord? record;
                try
                {
                    record = JsonSerializer.Deserialize<ExportRecord>(line, MemoryFabricJson.Options);
                }
                catch (JsonException e)
                {
                    throw FabricErrors.Invalid(nameof(ImportAsync), $"Line {lineNumber}: " + Describe(e));
                }
                catch (InvalidOperationException e)
                {
                    throw FabricErrors.Invalid(nameof(ImportAsync), $"Line {lineNumber}: not valid JSON: {e.Message}");
                }

                Add(records, record, $"Line {lineNumber}");
            }
        }

        return await ImportAsync(agent, records, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<ImportResult> ImportAsync(string agent, IEnumerable<ExportRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        _ = AgentKey(agent);
        var batch = new ExportRecordSet();
        var index = 0;
        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Add(batch, record ?? throw new ArgumentException("The records to import contain a null record.", nameof(records)), $"Record {++index}");
        }

        return await ImportAsync(agent, batch, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>The records are gathered before the grain is called.</remarks>
    public async Task<ImportResult> ImportAsync(string agent, IAsyncEnumerable<ExportRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        _ = AgentKey(agent);
        var batch = new ExportRecordSet();
        var index = 0;
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            Add(batch, record ?? throw new ArgumentException("The records to import contain a null record.", nameof(records)), $"Record {++index}");
        }

        return await ImportAsync(agent, batch, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<ConsolidationReport> ConsolidateAsync(string agent, CancellationToken cancellationToken = default) =>
        await CallAsync(agent, (g, ct) => g.ConsolidateAsync(ct), cancellationToken);

    /// <inheritdoc />
    public async Task DeleteAgentAsync(string agent, CancellationToken cancellationToken = default)
    {
        var existed = await CallAsync(agent, (g, ct) => g.PurgeAsync(ct), cancellationToken);
        if (!existed)
        {
            throw FabricErrors.NotFound(nameof(DeleteAgentAsync), FabricErrors.NoAgent(agent));
        }
    }

    /// <inheritdoc />
    /// <remarks>Asks the tenant's guard grain for its settings (an activation and a read of grain storage): ready
    /// when it answers, not ready when Orleans cannot get an answer (<see cref="OrleansException"/>, or
    /// <see cref="TimeoutException"/>).</remarks>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _grains.GetGrain<ITenantGuardGrain>(Tenant).GetSettingsAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is OrleansException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QuarantineEntry>> GetQuarantineAsync(string agent, QuarantineStatus? status = null, CancellationToken cancellationToken = default)
    {
        _ = AgentKey(agent);
        if (status is { } only && !Enum.IsDefined(only))
        {
            throw new ArgumentOutOfRangeException(nameof(status), only, "Not a quarantine status.");
        }

        var entries = await IdempotentCallAsync(agent, (g, ct) => g.GetQuarantineAsync(ct), cancellationToken);
        return status is { } wanted ? entries.Where(e => e.Status == wanted).ToList() : entries;
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(string agent, string itemId, CancellationToken cancellationToken = default)
    {
        _ = AgentKey(agent);
        CheckId(itemId, "item id");
        var released = await CallAsync(agent, (g, ct) => g.ReleaseAsync(itemId, ct), cancellationToken);
        if (!released)
        {
            throw FabricErrors.NotFound(nameof(ReleaseAsync), $"No quarantined item '{itemId}' (it was never quarantined, or is released already).");
        }
    }

    /// <inheritdoc />
    public async Task<GuardLesson> ConfirmAsync(string agent, string itemId, CancellationToken cancellationToken = default)
    {
        _ = AgentKey(agent);
        CheckId(itemId, "item id");
        var lesson = await CallAsync(agent, (g, ct) => g.ConfirmAsync(itemId, ct), cancellationToken);
        return lesson ?? throw FabricErrors.NotFound(nameof(ConfirmAsync), $"No turn, note or episode has the id '{itemId}'.");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GuardLesson>> GetLessonsAsync(string agent, CancellationToken cancellationToken = default) =>
        await IdempotentCallAsync(agent, (g, ct) => g.GetLessonsAsync(ct), cancellationToken);

    /// <inheritdoc />
    public async Task RevokeLessonAsync(string agent, string lessonId, CancellationToken cancellationToken = default)
    {
        _ = AgentKey(agent);
        CheckId(lessonId, "lesson id");
        var revoked = await CallAsync(agent, (g, ct) => g.RevokeLessonAsync(lessonId, ct), cancellationToken);
        if (!revoked)
        {
            throw FabricErrors.NotFound(nameof(RevokeLessonAsync), $"No active lesson '{lessonId}'.");
        }
    }

    /// <inheritdoc />
    public Task<TenantGuardSettings> GetGuardSettingsAsync(CancellationToken cancellationToken = default) =>
        GuardAsync((g, ct) => g.GetSettingsAsync(ct), cancellationToken);

    /// <inheritdoc />
    public Task<TenantGuardSettings> SetGuardEnabledAsync(bool enabled, CancellationToken cancellationToken = default) =>
        GuardAsync((g, ct) => g.SetEnabledAsync(enabled, ct), cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<RelationGroup>> GetRelationGroupsAsync(CancellationToken cancellationToken = default)
    {
        var settings = await GuardAsync((g, ct) => g.GetSettingsAsync(ct), cancellationToken);
        return settings.Groups ?? [];
    }

    /// <inheritdoc />
    public async Task<RelationGroup> AddToRelationGroupAsync(string group, string agent, CancellationToken cancellationToken = default)
    {
        CheckGroup(group);
        _ = AgentKey(agent);
        var result = await GuardAsync((g, ct) => g.AddMemberAsync(group, agent, ct), cancellationToken);
        await RefreshAsync(agent, cancellationToken);
        return result;
    }

    /// <inheritdoc />
    public async Task RemoveFromRelationGroupAsync(string group, string agent, CancellationToken cancellationToken = default)
    {
        CheckGroup(group);
        _ = AgentKey(agent);
        var removed = await GuardAsync((g, ct) => g.RemoveMemberAsync(group, agent, ct), cancellationToken);
        if (!removed)
        {
            throw FabricErrors.NotFound(nameof(RemoveFromRelationGroupAsync), $"'{agent}' is not a member of the relation group '{group}'.");
        }

        await RefreshAsync(agent, cancellationToken);
    }

    /// <summary>The key of the agent's grain, <c>tenant/agent</c>, after checking the name: blank throws
    /// <see cref="ArgumentException"/> (as the HTTP client does), a name against <see cref="AgentNames.Rule"/> (which
    /// allows no <c>/</c>) a 400 (as the server answers).</summary>
    private string AgentKey(string agent, [CallerMemberName] string operation = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agent);
        if (!AgentNames.IsValid(agent))
        {
            throw FabricErrors.Invalid(operation, $"An agent name is {AgentNames.Rule}.");
        }

        return Tenant + "/" + agent;
    }

    // Checks the name, calls the agent's grain and translates what it throws (all of it in the returned task).
    // The HTTP client's argument check of an expected version.
    private static void CheckVersion(int? expectedVersion)
    {
        if (expectedVersion is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "A note version is 1 or more (Note.Version).");
        }
    }

    // A call that changes the agent: tried once.
    private Task<T> CallAsync<T>(
        string agent, Func<IAgentMemoryGrain, CancellationToken, Task<T>> call, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        InvokeAsync(agent, call, idempotent: false, operation, cancellationToken);

    // A call that may run twice with the effect of once (a read, a search, an ingest whose turns all carry ids): tried
    // again while the agent's silo is unreachable, within OrleansMemoryFabricClientOptions.RetryBudget.
    private Task<T> IdempotentCallAsync<T>(
        string agent, Func<IAgentMemoryGrain, CancellationToken, Task<T>> call, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        InvokeAsync(agent, call, idempotent: true, operation, cancellationToken);

    private async Task<T> InvokeAsync<T>(
        string agent, Func<IAgentMemoryGrain, CancellationToken, Task<T>> call, bool idempotent, string operation, CancellationToken cancellationToken)
    {
        var grain = _grains.GetGrain<IAgentMemoryGrain>(AgentKey(agent, operation));
        try
        {
            return await _retry.InvokeAsync(ct => call(grain, ct), idempotent, cancellationToken);
        }
        catch (Exception e) when (FabricErrors.Translate(e, operation, agent) is { } error)
        {
            throw error;
        }
    }

    private async Task<T> GuardAsync<T>(Func<ITenantGuardGrain, CancellationToken, Task<T>> call, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        try
        {
            return await call(_grains.GetGrain<ITenantGuardGrain>(Tenant), cancellationToken);
        }
        catch (Exception e) when (FabricErrors.Translate(e, operation, agent: null) is { } error)
        {
            throw error;
        }
    }

    // The membership change is durable already; the refresh only makes the agent see it now rather than within its
    // guard policy refresh period. A failure is logged, not reported: the agent catches up by itself (as the server does).
    private async Task RefreshAsync(string agent, CancellationToken cancellationToken)
    {
        try
        {
            await _grains.GetGrain<IAgentMemoryGrain>(AgentKey(agent)).RefreshGuardAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRefreshFailed(_logger, e, Tenant, agent);
        }
    }

    private static void Add(ExportRecordSet records, ExportRecord? record, string where)
    {
        if (!records.TryAdd(record))
        {
            throw FabricErrors.Invalid(nameof(ImportAsync), $"{where}: {ExportRecordSet.RecordShape}.");
        }
    }

    private async Task<ImportResult> ImportAsync(string agent, ExportRecordSet records, CancellationToken cancellationToken)
    {
        if (records.IsEmpty)
        {
            throw FabricErrors.Invalid(nameof(ImportAsync), "The import holds no records; send the records of an export (JSON lines as ExportToAsync writes them).");
        }

        var result = await CallAsync(agent, (g, ct) => g.ImportAsync(records.Turns, records.Notes, ct), cancellationToken, nameof(ImportAsync));
        return new ImportResult(result.Turns, result.Notes, result.Skipped + records.Episodes);
    }

    private async IAsyncEnumerable<ExportRecord> ReadExportAsync(string agent, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var export = await IdempotentCallAsync(agent, (g, ct) => g.ExportAsync(ct), cancellationToken, nameof(ExportAsync));
        foreach (var record in Records(export))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
    }

    // The server's order: turns, episodes, note versions.
    private static IEnumerable<ExportRecord> Records(AgentExport export) =>
        export.Turns.Select(ExportRecord.FromTurn)
            .Concat(export.Episodes.Select(ExportRecord.FromEpisode))
            .Concat(export.Notes.Select(ExportRecord.FromNote));

    private static void CheckGroup(string group, [CallerMemberName] string operation = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        if (!AgentNames.IsValid(group))
        {
            throw FabricErrors.Invalid(operation, $"A relation group name is {AgentNames.Rule}.");
        }
    }

    private static void CheckId(string id, string what, [CallerMemberName] string operation = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id, what);
        if (id.Length > 256)
        {
            throw FabricErrors.Invalid(operation, $"The {what} is 1 to 256 characters, as returned by the API.");
        }
    }

    // As the server describes a line it cannot read.
    private static string Describe(JsonException e)
    {
        var where = e.Path is { Length: > 0 } path ? $" at {path}" : string.Empty;
        var position = e.BytePositionInLine is { } column ? $" (byte {column + 1})" : string.Empty;
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        return $"The record is not valid{where}{position}: {message}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The guard policy of agent {Tenant}/{Agent} could not be refreshed; it picks the change up within its refresh period")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string tenant, string agent);
}
