using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using MemoryFabric.Api;
using MemoryFabric.Client.Http;
using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;
using MemoryFabric.Serialization;

namespace MemoryFabric.Client;

/// <summary>The client of the MemoryFabric HTTP API's agent routes.</summary>
/// <remarks>
/// <para>Thread-safe; one instance can serve a whole application. The API key is set on each request
/// (<c>Authorization: Bearer</c>), never on the <see cref="HttpClient"/>'s shared default headers, so one
/// <see cref="HttpClient"/> can serve clients of several tenants.</para>
/// <para>With dependency injection use <see cref="MemoryFabricServiceCollectionExtensions.AddMemoryFabricClient"/>,
/// which takes the <see cref="HttpClient"/> from <c>IHttpClientFactory</c>.</para>
/// </remarks>
public sealed partial class MemoryFabricClient : IMemoryFabricClient
{
    private static readonly Lazy<HttpClient> SharedHttpClient = new(() => new HttpClient(
        new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    });

    private readonly MemoryFabricHttpPipeline _pipeline;

    /// <summary>Initializes a new instance on a process-wide shared <see cref="HttpClient"/>.</summary>
    /// <param name="options">The endpoint, key and limits.</param>
    public MemoryFabricClient(MemoryFabricClientOptions options)
        : this(SharedHttpClient.Value, options)
    {
    }

    /// <summary>Initializes a new instance on the given <see cref="HttpClient"/>, which it does not dispose.</summary>
    /// <param name="httpClient">The HTTP client. Its <see cref="HttpClient.BaseAddress"/> is used when
    /// <see cref="MemoryFabricClientOptions.Endpoint"/> is not set. Keep its own
    /// <see cref="HttpClient.Timeout"/> at least as long as <see cref="MemoryFabricClientOptions.Timeout"/>.</param>
    /// <param name="options">The endpoint, key and limits (read once, here).</param>
    public MemoryFabricClient(HttpClient httpClient, MemoryFabricClientOptions options)
    {
        _pipeline = new MemoryFabricHttpPipeline(httpClient, options);
    }

    /// <summary>The base address requests are sent to.</summary>
    public Uri Endpoint => _pipeline.BaseUri;

    /// <inheritdoc />
    public async Task<IngestResult> IngestAsync(string agent, IReadOnlyList<TurnInput> turns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turns);
        if (turns.Count == 0)
        {
            throw new ArgumentException("At least one turn is required.", nameof(turns));
        }

        var body = new IngestTurnsRequest(turns);
        // Re-sending turns that all carry ids changes nothing, so such an ingest is safe to retry after a 503.
        var retry = turns.All(t => t is not null && !string.IsNullOrEmpty(t.Id)) ? RetryMode.Idempotent : RetryMode.OnTooManyRequests;
        return await SendJsonAsync<IngestResult>(HttpMethod.Post, ApiPaths.Agent(agent, "turns"), body, retry, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IngestResult> IngestAsync(string agent, IEnumerable<TurnInput> turns, IProgress<int>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turns);
        _ = ApiPaths.Agent(agent);
        var stored = new List<string>();
        var duplicates = new List<string>();
        var sent = 0;
        foreach (var batch in turns.Chunk(_pipeline.MaxBatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await IngestAsync(agent, batch, cancellationToken).ConfigureAwait(false);
            stored.AddRange(result.StoredTurnIds);
            duplicates.AddRange(result.DuplicateTurnIds);
            sent += batch.Length;
            progress?.Report(sent);
        }

        return new IngestResult(stored, duplicates);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Turn>> GetTurnsAsync(string agent, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        var path = ApiPaths.Agent(agent, "turns");
        if (sessionId is not null)
        {
            path += "?" + ApiPaths.Query("session", sessionId);
        }

        var body = await GetJsonAsync<TurnList>(path, cancellationToken).ConfigureAwait(false);
        return body.Turns ?? [];
    }

    /// <inheritdoc />
    public Task<AgentSummary?> GetAgentAsync(string agent, CancellationToken cancellationToken = default) =>
        GetJsonOrNullAsync<AgentSummary>(ApiPaths.Agent(agent), cancellationToken);

    /// <inheritdoc />
    public async Task<AgentPage> ListAgentsAsync(string? cursor = null, int? limit = null, string? prefix = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>(3);
        if (cursor is not null)
        {
            query.Add(ApiPaths.Query("cursor", cursor));
        }

        if (limit is { } l)
        {
            query.Add("limit=" + l.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (prefix is not null)
        {
            query.Add(ApiPaths.Query("prefix", prefix));
        }

        var path = query.Count == 0 ? ApiPaths.Agents : ApiPaths.Agents + "?" + string.Join('&', query);
        var body = await GetJsonAsync<AgentPage>(path, cancellationToken).ConfigureAwait(false);
        return body with { Agents = body.Agents ?? [] };
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string agent, SearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await SendJsonAsync<SearchResponse>(HttpMethod.Post, ApiPaths.Agent(agent, "search"), request, RetryMode.Idempotent, cancellationToken)
            .ConfigureAwait(false);
        return body.Hits ?? [];
    }

    /// <inheritdoc />
    public async Task<TenantSearchResponse> SearchTenantAsync(TenantSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await SendJsonAsync<TenantSearchResponse>(HttpMethod.Post, ApiPaths.Search, request, RetryMode.Idempotent, cancellationToken)
            .ConfigureAwait(false);
        return body.Hits is null ? body with { Hits = [] } : body;
    }

    /// <summary>Searches like <see cref="SearchAsync"/> and also says whether the answer is degraded
    /// (<see cref="SearchResponse.Degraded"/>: the server was busy and ranked the query on lexical signals alone).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="request">The query.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hits, best first, and whether they are degraded.</returns>
    public async Task<SearchResponse> GetSearchResponseAsync(string agent, SearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await SendJsonAsync<SearchResponse>(HttpMethod.Post, ApiPaths.Agent(agent, "search"), request, RetryMode.Idempotent, cancellationToken)
            .ConfigureAwait(false);
        return body.Hits is null ? body with { Hits = [] } : body;
    }

    /// <inheritdoc />
    public Task<MemoryContext> GetContextAsync(string agent, ContextRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync<MemoryContext>(HttpMethod.Post, ApiPaths.Agent(agent, "context"), request, RetryMode.Idempotent, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Note>> ListNotesAsync(string agent, bool includeInactive = false, CancellationToken cancellationToken = default)
    {
        var path = ApiPaths.Agent(agent, "notes") + "?includeInactive=" + (includeInactive ? "true" : "false");
        var body = await GetJsonAsync<NoteList>(path, cancellationToken).ConfigureAwait(false);
        return body.Notes ?? [];
    }

    /// <inheritdoc />
    public Task<NoteWriteResult> AddNoteAsync(string agent, NoteWrite note, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(note);
        return SendJsonAsync<NoteWriteResult>(HttpMethod.Post, ApiPaths.Agent(agent, "notes"), note, RetryMode.OnTooManyRequests, cancellationToken);
    }

    /// <inheritdoc />
    public Task<Note?> GetNoteAsync(string agent, string noteId, CancellationToken cancellationToken = default) =>
        GetJsonOrNullAsync<Note>(ApiPaths.Note(agent, noteId), cancellationToken);

    /// <inheritdoc />
    public Task<NoteWriteResult> UpdateNoteAsync(string agent, string noteId, NoteWrite note, CancellationToken cancellationToken = default) =>
        UpdateNoteAsync(agent, noteId, note, expectedVersion: null, cancellationToken);

    /// <inheritdoc />
    public Task<NoteWriteResult> UpdateNoteAsync(string agent, string noteId, NoteWrite note, int? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(note);
        CheckVersion(expectedVersion);
        // Not retried after a 503: a second PUT would write yet another version.
        return SendJsonAsync<NoteWriteResult>(HttpMethod.Put, ApiPaths.Note(agent, noteId), note, RetryMode.OnTooManyRequests, cancellationToken, expectedVersion);
    }

    /// <inheritdoc />
    public Task<NoteWriteResult> DeleteNoteAsync(string agent, string noteId, CancellationToken cancellationToken = default) =>
        DeleteNoteAsync(agent, noteId, expectedVersion: null, cancellationToken);

    /// <inheritdoc />
    public Task<NoteWriteResult> DeleteNoteAsync(string agent, string noteId, int? expectedVersion, CancellationToken cancellationToken = default)
    {
        CheckVersion(expectedVersion);
        return SendJsonAsync<NoteWriteResult>(HttpMethod.Delete, ApiPaths.Note(agent, noteId), null, RetryMode.OnTooManyRequests, cancellationToken, expectedVersion);
    }

    /// <inheritdoc />
    public async Task<int> PurgeNoteAsync(string agent, string noteId, CancellationToken cancellationToken = default) =>
        (await PurgeNoteAsync(agent, noteId, forgetSources: false, expectedVersion: null, cancellationToken).ConfigureAwait(false)).Purged;

    /// <inheritdoc />
    public Task<PurgeResult> PurgeNoteAsync(string agent, string noteId, bool forgetSources, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        CheckVersion(expectedVersion);
        var path = ApiPaths.Note(agent, noteId) + (forgetSources ? "?purge=true&forgetSources=true" : "?purge=true");
        return SendJsonAsync<PurgeResult>(HttpMethod.Delete, path, null, RetryMode.Idempotent, cancellationToken, expectedVersion);
    }

    /// <inheritdoc />
    public Task<TurnForgetResult> ForgetTurnsAsync(string agent, IReadOnlyList<string> turnIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turnIds);
        // Forgetting twice forgets nothing more: safe to retry.
        return SendJsonAsync<TurnForgetResult>(HttpMethod.Post, ApiPaths.Agent(agent, "turns/forget"), new ForgetTurnsRequest(turnIds), RetryMode.Idempotent, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Note>> GetNoteHistoryAsync(string agent, string noteId, CancellationToken cancellationToken = default)
    {
        var body = await GetJsonAsync<NoteHistory>(ApiPaths.Note(agent, noteId) + "/history", cancellationToken).ConfigureAwait(false);
        return body.Versions ?? [];
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ExportRecord> ExportAsync(string agent, CancellationToken cancellationToken = default)
    {
        var path = ApiPaths.Agent(agent, "export");
        return ReadExportAsync(path, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<long> ExportToAsync(string agent, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var response = await OpenExportAsync(ApiPaths.Agent(agent, "export"), cancellationToken).ConfigureAwait(false);
        var source = await response.Message.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
            }

            await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
            return total;
        }
    }

    /// <inheritdoc />
    public Task<ImportResult> ImportAsync(string agent, Stream ndjson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ndjson);
        var start = ndjson.CanSeek ? ndjson.Position : 0;
        var request = new ApiRequest(
            HttpMethod.Post,
            ApiPaths.Agent(agent, "import"),
            () => new CallerStreamContent(ndjson, start, NdjsonContent.MediaType),
            ndjson.CanSeek ? RetryMode.Idempotent : RetryMode.None);
        return SendAsync<ImportResult>(request, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ImportResult> ImportAsync(string agent, IEnumerable<ExportRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var request = new ApiRequest(HttpMethod.Post, ApiPaths.Agent(agent, "import"), () => new NdjsonContent(records), RetryMode.Idempotent);
        return SendAsync<ImportResult>(request, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ImportResult> ImportAsync(string agent, IAsyncEnumerable<ExportRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var request = new ApiRequest(HttpMethod.Post, ApiPaths.Agent(agent, "import"), () => new NdjsonContent(records), RetryMode.None);
        return SendAsync<ImportResult>(request, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ConsolidationReport> ConsolidateAsync(string agent, CancellationToken cancellationToken = default) =>
        SendJsonAsync<ConsolidationReport>(HttpMethod.Post, ApiPaths.Agent(agent, "consolidate"), null, RetryMode.OnTooManyRequests, cancellationToken);

    /// <inheritdoc />
    public async Task DeleteAgentAsync(string agent, CancellationToken cancellationToken = default)
    {
        var request = new ApiRequest(HttpMethod.Delete, ApiPaths.Agent(agent), null, RetryMode.Idempotent);
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        var request = new ApiRequest(HttpMethod.Get, "readyz", null, RetryMode.None);
        try
        {
            using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (MemoryFabricApiException e) when (e.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QuarantineEntry>> GetQuarantineAsync(string agent, QuarantineStatus? status = null, CancellationToken cancellationToken = default)
    {
        var path = ApiPaths.Agent(agent, "quarantine");
        if (status is { } only)
        {
            if (!Enum.IsDefined(only))
            {
                throw new ArgumentOutOfRangeException(nameof(status), only, "Not a quarantine status.");
            }

            path += "?" + ApiPaths.Query("status", JsonNamingPolicy.CamelCase.ConvertName(only.ToString()));
        }

        var body = await GetJsonAsync<QuarantineList>(path, cancellationToken).ConfigureAwait(false);
        return body.Items ?? [];
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(string agent, string itemId, CancellationToken cancellationToken = default)
    {
        // Releasing twice gives a 404 the second time: not retried after a 503, only after a 429 (never processed).
        var request = new ApiRequest(HttpMethod.Post, ApiPaths.QuarantineItem(agent, itemId, "release"), null, RetryMode.OnTooManyRequests);
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<GuardLesson> ConfirmAsync(string agent, string itemId, CancellationToken cancellationToken = default) =>
        // Confirming again returns the same lesson: safe to retry.
        SendJsonAsync<GuardLesson>(HttpMethod.Post, ApiPaths.QuarantineItem(agent, itemId, "confirm"), null, RetryMode.Idempotent, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<GuardLesson>> GetLessonsAsync(string agent, CancellationToken cancellationToken = default)
    {
        var body = await GetJsonAsync<LessonList>(ApiPaths.Agent(agent, "lessons"), cancellationToken).ConfigureAwait(false);
        return body.Lessons ?? [];
    }

    /// <inheritdoc />
    public async Task RevokeLessonAsync(string agent, string lessonId, CancellationToken cancellationToken = default)
    {
        var request = new ApiRequest(HttpMethod.Delete, ApiPaths.Lesson(agent, lessonId), null, RetryMode.OnTooManyRequests);
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<TenantGuardSettings> GetGuardSettingsAsync(CancellationToken cancellationToken = default) =>
        GetJsonAsync<TenantGuardSettings>(ApiPaths.Guard, cancellationToken);

    /// <inheritdoc />
    public Task<TenantGuardSettings> SetGuardEnabledAsync(bool enabled, CancellationToken cancellationToken = default) =>
        SendJsonAsync<TenantGuardSettings>(HttpMethod.Put, ApiPaths.Guard, new SetGuardRequest(enabled), RetryMode.Idempotent, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<RelationGroup>> GetRelationGroupsAsync(CancellationToken cancellationToken = default)
    {
        var body = await GetJsonAsync<RelationGroupList>(ApiPaths.Guard + "/groups", cancellationToken).ConfigureAwait(false);
        return body.Groups ?? [];
    }

    /// <inheritdoc />
    public Task<RelationGroup> AddToRelationGroupAsync(string group, string agent, CancellationToken cancellationToken = default) =>
        SendJsonAsync<RelationGroup>(HttpMethod.Put, ApiPaths.GroupMember(group, agent), null, RetryMode.Idempotent, cancellationToken);

    /// <inheritdoc />
    public async Task RemoveFromRelationGroupAsync(string group, string agent, CancellationToken cancellationToken = default)
    {
        var request = new ApiRequest(HttpMethod.Delete, ApiPaths.GroupMember(group, agent), null, RetryMode.OnTooManyRequests);
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private Task<T> GetJsonAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(new ApiRequest(HttpMethod.Get, path, null, RetryMode.Idempotent), cancellationToken);

    private async Task<T?> GetJsonOrNullAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        var request = new ApiRequest(HttpMethod.Get, path, null, RetryMode.Idempotent) { NotFoundIsResult = true };
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return response.IsNotFound ? null : await response.ReadJsonAsync<T>().ConfigureAwait(false);
    }

    private Task<T> SendJsonAsync<T>(HttpMethod method, string path, object? body, RetryMode retry, CancellationToken cancellationToken, int? ifMatchVersion = null)
    {
        Func<HttpContent>? content = body is null ? null : () => JsonContent.Create(body, body.GetType(), mediaType: null, MemoryFabricJson.Options);
        return SendAsync<T>(new ApiRequest(method, path, content, retry) { IfMatchVersion = ifMatchVersion }, cancellationToken);
    }

    private static void CheckVersion(int? expectedVersion)
    {
        if (expectedVersion is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "A note version is 1 or more (Note.Version).");
        }
    }

    private async Task<T> SendAsync<T>(ApiRequest request, CancellationToken cancellationToken)
    {
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await response.ReadJsonAsync<T>().ConfigureAwait(false);
    }

    private async Task<ApiResponse> OpenExportAsync(string path, CancellationToken cancellationToken)
    {
        var request = new ApiRequest(HttpMethod.Get, path, null, RetryMode.Idempotent, NdjsonContent.MediaType) { StreamResponse = true };
        var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        // The timeout bounds the wait for the headers; the body may take as long as the export does.
        response.StopTimeout();
        return response;
    }

    private async IAsyncEnumerable<ExportRecord> ReadExportAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await OpenExportAsync(path, cancellationToken).ConfigureAwait(false);
        var stream = await response.Message.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var lineNumber = 0;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
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
                    throw new JsonException($"Line {lineNumber} of the export is not a valid record: {e.Message}", e);
                }

                yield return record ?? throw new JsonException($"Line {lineNumber} of the export is null.");
            }
        }
    }
}
