using System.Text.Json;
using System.Text.Json.Serialization;

namespace MemoryFabric.Benchmarks.Http;

/// <summary>The result of <c>memfab bench http</c>; <see cref="ToJson"/> gives its JSON (snake_case).</summary>
public sealed record HttpBenchmarkReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The parameters of the run.</summary>
    public required HttpBenchmarkParameters Parameters { get; init; }

    /// <summary>The embedder the server used (its name as the server reports it), or <c>unknown</c> for an external server.</summary>
    public required string Embedder { get; init; }

    /// <summary>The embedder's warning (e.g. the hashed fallback of <c>auto</c>), if any.</summary>
    public string? EmbedderWarning { get; init; }

    /// <summary>Where the load ran: <c>in-process</c> (Kestrel on loopback) or the external server's address.</summary>
    public required string Server { get; init; }

    /// <summary>The machine.</summary>
    public required HttpBenchmarkMachine Machine { get; init; }

    /// <summary>The ingest phase.</summary>
    public required IngestPhaseResult Ingest { get; init; }

    /// <summary>The wait for dense indexing and consolidation after the ingest phase.</summary>
    public required DrainResult Drain { get; init; }

    /// <summary>The mixed phase.</summary>
    public required MixedPhaseResult Mixed { get; init; }

    /// <summary>The cold-activation phase, or <see langword="null"/> when it was skipped.</summary>
    public ColdActivationResult? ColdActivation { get; init; }

    /// <summary>Why the cold-activation phase was skipped, when it was.</summary>
    public string? ColdActivationSkipped { get; init; }

    /// <summary>The targets and whether this run met them.</summary>
    public required HttpBenchmarkTargets Targets { get; init; }

    /// <summary>Requests that failed over the whole run (ingest, mixed and cold-activation phases).</summary>
    public long TotalErrors => Ingest.Errors.Total + Mixed.Errors.Total + (ColdActivation?.Ingest.Errors.Total ?? 0);

    /// <summary>Serializes the report.</summary>
    /// <returns>Indented JSON with snake_case names.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a report written by <see cref="ToJson"/> (e.g. by a <c>memfab bench http</c> child process).</summary>
    /// <param name="json">The JSON.</param>
    /// <returns>The report.</returns>
    /// <exception cref="JsonException">The text is not such a report.</exception>
    public static HttpBenchmarkReport FromJson(string json) =>
        JsonSerializer.Deserialize<HttpBenchmarkReport>(json, JsonOptions) ?? throw new JsonException("the report is null");
}

/// <summary>The parameters of a run.</summary>
public sealed record HttpBenchmarkParameters
{
    /// <summary>Agents.</summary>
    public int Agents { get; init; }

    /// <summary>Turns per agent in the ingest phase.</summary>
    public int TurnsPerAgent { get; init; }

    /// <summary>Turns per ingest request in the ingest phase.</summary>
    public int BatchSize { get; init; }

    /// <summary>Concurrent connections.</summary>
    public int Connections { get; init; }

    /// <summary>Measured seconds of the mixed phase.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Unmeasured seconds before it.</summary>
    public double WarmupSeconds { get; init; }

    /// <summary>The share of searches in the mixed phase.</summary>
    public double SearchShare { get; init; }

    /// <summary>The offered load of the mixed phase (requests/s; 0 = closed loop).</summary>
    public double OfferedRequestsPerSecond { get; init; }

    /// <summary>Turns per ingest request in the mixed phase.</summary>
    public int MixedIngestBatch { get; init; }

    /// <summary>Hits per search.</summary>
    public int SearchLimit { get; init; }

    /// <summary>Turns of the cold-activation agent.</summary>
    public int ColdTurns { get; init; }

    /// <summary>Cold activations measured.</summary>
    public int ColdRepeats { get; init; }

    /// <summary>The embedder asked for.</summary>
    public required string EmbedderRequested { get; init; }

    /// <summary><c>locomo</c> or <c>synthetic</c>.</summary>
    public required string Texts { get; init; }

    /// <summary>The server's <c>ConsolidateAfterTurns</c>.</summary>
    public int ConsolidateAfterTurns { get; init; }

    /// <summary>The seed.</summary>
    public int Seed { get; init; }
}

/// <summary>The machine a run measured.</summary>
public sealed record HttpBenchmarkMachine
{
    /// <summary>Logical processors.</summary>
    public int ProcessorCount { get; init; }

    /// <summary>The processor model, where the OS tells it.</summary>
    public string? Cpu { get; init; }

    /// <summary>The operating system.</summary>
    public required string Os { get; init; }

    /// <summary>The .NET runtime.</summary>
    public required string Framework { get; init; }

    /// <summary>Whether the process (client and in-process server) runs the server garbage collector.</summary>
    public bool ServerGc { get; init; }

    /// <summary>The one-minute load average when the run started (Linux), to tell a run that shared the machine.</summary>
    public double? LoadAverageStart { get; init; }

    /// <summary>The one-minute load average when the run ended (Linux).</summary>
    public double? LoadAverageEnd { get; init; }
}

/// <summary>Latencies of one kind of request, in milliseconds.</summary>
public sealed record LatencySummary
{
    /// <summary>Successful requests measured.</summary>
    public long Count { get; init; }

    /// <summary>The mean.</summary>
    public double MeanMs { get; init; }

    /// <summary>The median.</summary>
    public double P50Ms { get; init; }

    /// <summary>The 90th percentile.</summary>
    public double P90Ms { get; init; }

    /// <summary>The 99th percentile.</summary>
    public double P99Ms { get; init; }

    /// <summary>The slowest.</summary>
    public double MaxMs { get; init; }
}

/// <summary>Failed requests: any answer other than 2xx, and requests that got no answer.</summary>
public sealed record ErrorCounts
{
    /// <summary>All failed requests.</summary>
    public long Total { get; init; }

    /// <summary>5xx answers (must be 0).</summary>
    public long ServerErrors { get; init; }

    /// <summary>By HTTP status, or <c>timeout</c> / <c>transport</c> for requests without an answer.</summary>
    public required IReadOnlyDictionary<string, long> ByStatus { get; init; }

    /// <summary>The first failure's message, to tell what went wrong.</summary>
    public string? FirstMessage { get; init; }
}

/// <summary>An ingest phase: batches sent from concurrent connections, counted when acknowledged (durable).</summary>
public sealed record IngestPhaseResult
{
    /// <summary>Turns acknowledged.</summary>
    public long Turns { get; init; }

    /// <summary>Batches acknowledged.</summary>
    public long Batches { get; init; }

    /// <summary>Wall-clock seconds from the first request to the last answer.</summary>
    public double Seconds { get; init; }

    /// <summary>Acknowledged turns per second.</summary>
    public double TurnsPerSecond { get; init; }

    /// <summary>Latency of a batch.</summary>
    public required LatencySummary BatchLatency { get; init; }

    /// <summary>Failed batches.</summary>
    public required ErrorCounts Errors { get; init; }
}

/// <summary>The wait, after the ingest phase, until every agent's dense index caught up and the consolidations
/// that <c>ConsolidateAfterTurns</c> triggered ran.</summary>
public sealed record DrainResult
{
    /// <summary>Seconds until both were done (or the cap).</summary>
    public double Seconds { get; init; }

    /// <summary>Seconds until no agent had pending embeddings (for good), or <see langword="null"/> if that never
    /// happened within the cap.</summary>
    public double? EmbeddingsSeconds { get; init; }

    /// <summary>Items still waiting for their embedding at the end of the wait.</summary>
    public long PendingEmbeddings { get; init; }

    /// <summary>Whether the wait hit its cap.</summary>
    public bool Capped { get; init; }

    /// <summary>Whether the wait stopped because, with the consolidations done, the pending embeddings stopped
    /// decreasing (5 s without change, even after <see cref="AgentsWrittenToUnstall"/>): nothing on the server was
    /// indexing them.</summary>
    public bool Stalled { get; init; }

    /// <summary>Agents that got one extra turn because their pending embeddings stopped decreasing: the items a
    /// consolidation creates are indexed only after the agent's next write or activation. 0 when the server indexes
    /// them by itself.</summary>
    public int AgentsWrittenToUnstall { get; init; }

    /// <summary>The cap, in seconds.</summary>
    public double CapSeconds { get; init; }

    /// <summary>Consolidations expected (agents with at least <c>ConsolidateAfterTurns</c> turns).</summary>
    public int ConsolidationsExpected { get; init; }

    /// <summary>Consolidations triggered by new turns that ran since the run started (from <c>/metrics</c>), or
    /// <see langword="null"/> when the server's metrics do not tell.</summary>
    public long? ConsolidationsRan { get; init; }

    /// <summary>Seconds until they had run, or <see langword="null"/>.</summary>
    public double? ConsolidationSeconds { get; init; }

    /// <summary>Episodes over all agents at the end of the wait (consolidation makes them).</summary>
    public long Episodes { get; init; }

    /// <summary>Notes over all agents at the end of the wait.</summary>
    public long Notes { get; init; }
}

/// <summary>One operation of the mixed phase.</summary>
public sealed record OperationResult
{
    /// <summary>Successful requests measured.</summary>
    public long Count { get; init; }

    /// <summary>Successful requests per second.</summary>
    public double RequestsPerSecond { get; init; }

    /// <summary>Their latency.</summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>Failed requests (the warm-up included).</summary>
    public required ErrorCounts Errors { get; init; }
}

/// <summary>The mixed phase: closed-loop workers, each request a search or a small ingest on a random agent.</summary>
public sealed record MixedPhaseResult
{
    /// <summary>Measured seconds.</summary>
    public double Seconds { get; init; }

    /// <summary>Successful requests measured (all operations).</summary>
    public long Requests { get; init; }

    /// <summary>Successful requests per second (all operations).</summary>
    public double RequestsPerSecond { get; init; }

    /// <summary>Searches.</summary>
    public required OperationResult Search { get; init; }

    /// <summary>Ingests.</summary>
    public required OperationResult Ingest { get; init; }

    /// <summary>Turns stored by the measured ingests.</summary>
    public long IngestedTurns { get; init; }

    /// <summary>Searches that found nothing (a sanity check: the queries are about the stored texts).</summary>
    public long EmptySearches { get; init; }

    /// <summary>Searches the server answered degraded: ranked on lexical signals alone because the embedder could not
    /// start on the query within its queue deadline (the answer's <c>degraded</c> flag).</summary>
    public long DegradedSearches { get; init; }

    /// <summary>The share of the measured searches answered degraded (0 when none were measured).</summary>
    public double DegradedShare => Search.Count == 0 ? 0 : (double)DegradedSearches / Search.Count;

    /// <summary>Failed requests (all operations, the warm-up included: no failure is left out).</summary>
    public required ErrorCounts Errors { get; init; }

    /// <summary>The server's own view of the measurement (from <c>/metrics</c>), or <see langword="null"/> when it has
    /// no readable metrics.</summary>
    public ServerSideResult? Server { get; init; }

    /// <summary>This process during the measurement: the load generator, and the server when it runs in-process.</summary>
    public required ProcessResult Process { get; init; }

    /// <summary>How late the load generator sent the measured requests past their scheduled times (open loop only;
    /// <see langword="null"/> in a closed loop). Latency counts from the schedule, so a request waiting for its
    /// connection's previous answer counts that wait: a large lag says the tail is partly requests queued behind a
    /// slow answer on the same connection.</summary>
    public LatencySummary? SendLag { get; init; }
}

/// <summary>The garbage-collection pauses of this process over the measured part of the mixed phase.</summary>
public sealed record GcPauseSummary
{
    /// <summary>Pauses recorded.</summary>
    public int Count { get; init; }

    /// <summary>The longest pause, in milliseconds.</summary>
    public double MaxMs { get; init; }

    /// <summary>The length from which a pause counts as long, in milliseconds (the search latency target).</summary>
    public double LongMs { get; init; }

    /// <summary>Pauses of at least <see cref="LongMs"/>.</summary>
    public int LongCount { get; init; }

    /// <summary>Their total, in milliseconds.</summary>
    public double LongTotalMs { get; init; }
}

/// <summary>The server's metrics over the measured part of the mixed phase: where the time goes.</summary>
public sealed record ServerSideResult
{
    /// <summary>Mean time of a search request inside the server (ASP.NET Core's <c>http.server.request.duration</c>),
    /// in milliseconds: the rest of the client's latency is the client, the socket and the wait for a thread.</summary>
    public double? SearchRequestMeanMs { get; init; }

    /// <summary>The same for an ingest request.</summary>
    public double? IngestRequestMeanMs { get; init; }

    /// <summary>Calls run by agent actors (requests, dense-indexing timers, reminders).</summary>
    public long AgentCalls { get; init; }

    /// <summary>Mean time of one agent actor call (its turn, not its wait in the actor's queue), in milliseconds.</summary>
    public double? AgentCallMeanMs { get; init; }

    /// <summary>Items embedded into dense indexes.</summary>
    public long EmbeddingsIndexed { get; init; }

    /// <summary>Consolidations that ran (any trigger).</summary>
    public long Consolidations { get; init; }

    /// <summary>Snapshots written.</summary>
    public long SnapshotsWritten { get; init; }

    /// <summary>The share of search requests that took the server longer than 25 ms (the latency target), from the
    /// request-duration histogram's 25 ms bucket; <see langword="null"/> when the server reported none.</summary>
    public double? SearchRequestsOver25MsShare { get; init; }
}

/// <summary>CPU and garbage collection of this process over the measured part of the mixed phase.</summary>
public sealed record ProcessResult
{
    /// <summary>CPU time over wall time × cores (1 = every core busy).</summary>
    public double CpuUtilization { get; init; }

    /// <summary>Generation 0 collections.</summary>
    public int Gen0Collections { get; init; }

    /// <summary>Generation 1 collections.</summary>
    public int Gen1Collections { get; init; }

    /// <summary>Generation 2 collections.</summary>
    public int Gen2Collections { get; init; }

    /// <summary>Time the runtime was paused for collections, in milliseconds.</summary>
    public double GcPauseMs { get; init; }

    /// <summary>That pause over wall time.</summary>
    public double GcPauseShare { get; init; }

    /// <summary>The pauses one by one (from the runtime's events), or <see langword="null"/> when not recorded.</summary>
    public GcPauseSummary? GcPauses { get; init; }
}

/// <summary>The cold-activation phase: an agent with many turns is consolidated, the server restarted on the same
/// data, and the first request to the agent (which activates it: snapshot load and journal replay) timed beside the
/// next ones.</summary>
public sealed record ColdActivationResult
{
    /// <summary>Turns of the agent.</summary>
    public long Turns { get; init; }

    /// <summary>Setting it up: ingest into the one agent.</summary>
    public required IngestPhaseResult Ingest { get; init; }

    /// <summary>Seconds waited for its dense index before consolidating.</summary>
    public double DrainSeconds { get; init; }

    /// <summary>Milliseconds of the explicit consolidation (as the server reports it).</summary>
    public double ConsolidationMs { get; init; }

    /// <summary>Items waiting for their embedding half a second after the consolidation (its new episodes and notes);
    /// a restart's activation schedules their indexing.</summary>
    public long PendingEmbeddingsAfterConsolidation { get; init; }

    /// <summary>Whether an unmeasured restart indexed those items first, so that every measured restart loads the same
    /// state.</summary>
    public bool SettlingRestart { get; init; }

    /// <summary>Bytes in the data directory after the set-up.</summary>
    public long DataDirectoryBytes { get; init; }

    /// <summary>The server command each measured start ran as a fresh process (paths shortened to file names).</summary>
    public string? ServerProcess { get; init; }

    /// <summary>Whether the page cache was dropped before each start, or why it stayed warm.</summary>
    public string? PageCache { get; init; }

    /// <summary>Each start's time from spawning a fresh server process on the data directory to the first successful
    /// answer for the agent (activated from storage), in milliseconds: <see cref="StartToReadyMs"/> + <see cref="ColdMs"/>.</summary>
    public IReadOnlyList<double> StartToAnswerMs { get; init; } = [];

    /// <summary>The median of <see cref="StartToAnswerMs"/>.</summary>
    public double StartToAnswerMedianMs { get; init; }

    /// <summary>The largest of <see cref="StartToAnswerMs"/>.</summary>
    public double StartToAnswerMaxMs { get; init; }

    /// <summary>Each start's time from the spawn to the first <c>/readyz</c> that answered ready (polled every 10 ms).</summary>
    public IReadOnlyList<double> StartToReadyMs { get; init; } = [];

    /// <summary>Each fresh process's first request, sent as soon as <c>/readyz</c> answered ready, to the agent (the
    /// activation: storage read, snapshot restore, journal replay, with nothing warmed in that process), in milliseconds.</summary>
    public required IReadOnlyList<double> ColdMs { get; init; }

    /// <summary>The median of <see cref="ColdMs"/>.</summary>
    public double ColdMedianMs { get; init; }

    /// <summary>The largest of <see cref="ColdMs"/>.</summary>
    public double ColdMaxMs { get; init; }

    /// <summary>The time the fresh server process spent in storage reads (<c>memoryfabric_storage_duration_seconds</c>,
    /// operation load: the agent's snapshot and journal, and any other grain state read on the way) up to its first
    /// answer, in milliseconds, per start; the rest of the first request is restoring the snapshot, replaying the
    /// journal, JIT compilation and HTTP.</summary>
    public required IReadOnlyList<double> StorageLoadMs { get; init; }

    /// <summary>The median of <see cref="StorageLoadMs"/>, or <see langword="null"/> without metrics.</summary>
    public double? StorageLoadMedianMs { get; init; }

    /// <summary>The same agent's first request in a fresh process that had first answered one request for another
    /// agent of the run (activated from storage too), with the page cache dropped again in between when the starts drop
    /// it, in milliseconds, per start: the activation without the process's own first-use costs (JIT compilation of
    /// the request path and the restore, the key's first look-up, the grain runtime). Empty when the run wrote no other
    /// agent.</summary>
    public IReadOnlyList<double> InWarmProcessMs { get; init; } = [];

    /// <summary>The median of <see cref="InWarmProcessMs"/>, or <see langword="null"/> when not measured.</summary>
    public double? InWarmProcessMedianMs { get; init; }

    /// <summary>Each fresh process's first search of the agent (after the first request and three more), in
    /// milliseconds: the query encode and whatever the retrieval builds on first use.</summary>
    public IReadOnlyList<double> FirstSearchMs { get; init; } = [];

    /// <summary>The median of <see cref="FirstSearchMs"/>.</summary>
    public double FirstSearchMedianMs { get; init; }

    /// <summary>The median of the searches after the first (three per restart, other queries), in milliseconds.</summary>
    public double SearchMedianMs { get; init; }

    /// <summary>The median of the requests after the first (three per restart), in milliseconds.</summary>
    public double WarmMedianMs { get; init; }

    /// <summary>The slowest of them.</summary>
    public double WarmMaxMs { get; init; }

    /// <summary>The median time from spawning the server process to ready, in milliseconds.</summary>
    public double ServerStartMedianMs { get; init; }

    /// <summary>The median time to stop it (every active agent persists), in milliseconds.</summary>
    public double ServerStopMedianMs { get; init; }
}

/// <summary>The targets for two cores, and whether the run met them.</summary>
public sealed record HttpBenchmarkTargets
{
    /// <summary>Search p99 at most this, in milliseconds.</summary>
    public double SearchP99Ms { get; init; } = 25;

    /// <summary>... at this many requests per second at least (all operations of the mixed phase).</summary>
    public double RequestsPerSecond { get; init; } = 1_000;

    /// <summary>Batched ingest at least this many turns per second.</summary>
    public double IngestTurnsPerSecond { get; init; } = 5_000;

    /// <summary>Cold activation of an agent with 10,000 turns at most this, in milliseconds.</summary>
    public double ColdActivationMs { get; init; } = 100;

    /// <summary>Whether the search p99 target was met.</summary>
    public bool SearchP99Met { get; init; }

    /// <summary>Whether the request-rate target was met.</summary>
    public bool RequestsPerSecondMet { get; init; }

    /// <summary>Whether the ingest target was met.</summary>
    public bool IngestMet { get; init; }

    /// <summary>Whether the cold-activation target was met (median), or <see langword="null"/> when not measured.</summary>
    public bool? ColdActivationMet { get; init; }
}
