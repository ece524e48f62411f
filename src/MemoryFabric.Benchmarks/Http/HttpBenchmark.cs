using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using MemoryFabric.Api;
using MemoryFabric.Client;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Benchmarks.Http;

/// <summary>
/// <c>memfab bench http</c>: the HTTP server under bounded load on loopback. By default the real server (Kestrel,
/// SQLite, the chosen embedder, rate limit off) runs in this process on a fresh data directory; the load goes through
/// the typed client over real sockets (one shared <see cref="SocketsHttpHandler"/>, one connection per worker).
/// <list type="number">
/// <item>Ingest: agents × turns in batches from concurrent connections; turns per second acknowledged (durable).</item>
/// <item>Drain: until every agent's dense index caught up and the consolidations triggered by new turns ran.</item>
/// <item>Mixed: closed-loop workers for a fixed time, each request a search (a realistic question) or a small ingest
/// on a random agent; count, rate and latency percentiles per operation, and every failure.</item>
/// <item>Cold activation (in-process only): one agent with many turns is consolidated and the in-process server stopped;
/// then, several times, a fresh server process (<see cref="HttpBenchmarkOptions.ServerCommand"/>) is started on the same
/// data directory, after dropping the page cache where the machine allows, and the time from its spawn to the first
/// successful answer for that agent (process start to ready, then the activation: storage read, snapshot restore and
/// journal replay) is measured, beside the requests after it.</item>
/// </list>
/// Latencies are recorded one by one and sorted at the end (exact percentiles).
/// </summary>
public static class HttpBenchmark
{
    private const string Prefix = "memfab bench http: ";
    private const string TenantId = "bench";

    // How long the pending embeddings may stay unchanged, once the expected consolidations ran, before the drain acts:
    // first one write to each agent still pending (which schedules its indexing), then, if still stuck, it gives up.
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Runs the benchmark.</summary>
    /// <param name="options">The options.</param>
    /// <param name="progress">Receives progress lines (standard error); none when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run (the in-process server is stopped and its data removed).</param>
    /// <returns>The report.</returns>
    public static async Task<HttpBenchmarkReport> RunAsync(HttpBenchmarkOptions options, TextWriter? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var log = TextWriter.Synchronized(progress ?? TextWriter.Null);
        var loadAtStart = LoadAverage();
        var inProcess = options.Url is null;
        var runId = Guid.NewGuid().ToString("N")[..6];
        var agents = Enumerable.Range(0, options.Agents)
            .Select(i => inProcess ? $"agent-{i:D3}" : $"bench-{runId}-{i:D3}")
            .ToArray();
        var coldAgent = inProcess ? "cold-agent" : $"bench-{runId}-cold";

        var workload = HttpWorkload.Create(options.LocomoPath, options.Synthetic, options.Agents + 1, options.Seed);
        log.WriteLine(Invariant($"{Prefix}texts: {workload.Source} ({workload.Length:N0} distinct turns)"));

        string? dataDirectory = null;
        var ownsDataDirectory = false;
        InProcessServer? server = null;
        Session? session = null;
        try
        {
            var adminKey = string.Empty;
            Uri endpoint;
            string tenantKey;
            var embedder = "unknown (external server)";
            string? embedderWarning = null;
            if (inProcess)
            {
                ownsDataDirectory = options.DataDirectory is null;
                dataDirectory = Path.GetFullPath(options.DataDirectory ?? Path.Combine(Path.GetTempPath(), "memfab-bench-http-" + runId));
                Directory.CreateDirectory(dataDirectory);
                adminKey = "mfa_bench_" + Guid.NewGuid().ToString("N");
                log.WriteLine(Invariant($"{Prefix}starting the server in-process (embedder {options.Embedder}, data {dataDirectory}) ..."));
                server = await InProcessServer.StartAsync(dataDirectory, options.Embedder, adminKey, InProcessServer.LoadSettings(options.ConsolidateAfterTurns), log, cancellationToken).ConfigureAwait(false);
                embedder = server.EmbedderName;
                embedderWarning = server.EmbedderWarning;
                log.WriteLine(Invariant($"{Prefix}server on {server.Address} (embedder {embedder}) started in {server.StartTime.TotalMilliseconds:F0} ms"));
                endpoint = server.Address;
                tenantKey = await CreateTenantKeyAsync(endpoint, adminKey, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                endpoint = options.Url!;
                tenantKey = options.ApiKey!;
            }

            session = new Session(endpoint, tenantKey, options.Connections, options.BatchSize);
            var consolidateAfter = server?.ConsolidateAfterTurns ?? options.ConsolidateAfterTurns ?? 1_000;
            var baseline = await ReadConsolidationsAsync(session, cancellationToken).ConfigureAwait(false);

            // 1. Ingest.
            log.WriteLine(Invariant($"{Prefix}ingest: {options.Agents} agents × {options.TurnsPerAgent:N0} turns in batches of {options.BatchSize} from {options.Connections} connections ..."));
            var ingest = await IngestAsync(
                session, workload, [.. agents.Select((a, i) => (i, a))], options.TurnsPerAgent, options.BatchSize, options.Connections, "ingest", options, log, cancellationToken)
                .ConfigureAwait(false);
            log.WriteLine(Invariant($"{Prefix}ingest: {ingest.Turns:N0} turns in {ingest.Seconds:F1} s = {ingest.TurnsPerSecond:N0} turns/s; batch p50 {ingest.BatchLatency.P50Ms:F1} ms, p99 {ingest.BatchLatency.P99Ms:F1} ms; {ingest.Errors.Total} errors"));

            // 2. Drain: dense indexing and the consolidations the new turns triggered.
            var expected = options.TurnsPerAgent >= consolidateAfter ? options.Agents : 0;
            var drain = await DrainAsync(session, workload, agents, expected, baseline, options, log, cancellationToken).ConfigureAwait(false);

            // 3. Mixed.
            var mixed = await MixedAsync(session, workload, agents, options, log, cancellationToken).ConfigureAwait(false);

            // 4. Cold activation (restarts the in-process server).
            ColdActivationResult? cold = null;
            string? coldSkipped = null;
            if (server is null)
            {
                coldSkipped = "an external server (--url) cannot be restarted by the benchmark";
            }
            else if (options.ColdTurns == 0)
            {
                coldSkipped = "--cold-turns 0";
            }
            else
            {
                var running = server;
                server = null; // stopped (and restarted) by the cold phase, which stops whatever it started
                cold = await ColdActivationAsync(running, session, workload, options.Agents, coldAgent, agents.Length > 0 ? agents[0] : null, dataDirectory!, adminKey, options, log, cancellationToken)
                    .ConfigureAwait(false);
            }

            return new HttpBenchmarkReport
            {
                Parameters = new HttpBenchmarkParameters
                {
                    Agents = options.Agents,
                    TurnsPerAgent = options.TurnsPerAgent,
                    BatchSize = options.BatchSize,
                    Connections = options.Connections,
                    DurationSeconds = options.DurationSeconds,
                    WarmupSeconds = options.WarmupSeconds,
                    SearchShare = options.SearchShare,
                    OfferedRequestsPerSecond = options.RequestsPerSecond,
                    MixedIngestBatch = options.MixedIngestBatch,
                    SearchLimit = options.SearchLimit,
                    ColdTurns = options.ColdTurns,
                    ColdRepeats = options.ColdRepeats,
                    EmbedderRequested = inProcess ? options.Embedder : "unknown (external server)",
                    Texts = workload.Source,
                    ConsolidateAfterTurns = consolidateAfter,
                    Seed = options.Seed,
                },
                Embedder = embedder,
                EmbedderWarning = embedderWarning,
                Server = inProcess ? "in-process" : endpoint.ToString(),
                Machine = DescribeMachine() with { LoadAverageStart = loadAtStart, LoadAverageEnd = LoadAverage() },
                Ingest = ingest,
                Drain = drain,
                Mixed = mixed,
                ColdActivation = cold,
                ColdActivationSkipped = coldSkipped,
                Targets = EvaluateTargets(ingest, mixed, cold),
            };
        }
        finally
        {
            if (session is not null && !inProcess && !options.KeepData)
            {
                await DeleteAgentsAsync(session, [.. agents, coldAgent], log).ConfigureAwait(false);
            }

            session?.Dispose();
            if (server is not null)
            {
                await server.StopAsync().ConfigureAwait(false);
            }

            if (dataDirectory is not null)
            {
                if (ownsDataDirectory && !options.KeepData)
                {
                    TryDeleteDirectory(dataDirectory, log);
                }
                else
                {
                    log.WriteLine(Invariant($"{Prefix}data kept in {dataDirectory}"));
                }
            }
        }
    }

    private static void Validate(HttpBenchmarkOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Agents, 1, nameof(options.Agents));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TurnsPerAgent, 1, nameof(options.TurnsPerAgent));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(options.BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Connections, 1, nameof(options.Connections));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MixedIngestBatch, 1, nameof(options.MixedIngestBatch));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SearchLimit, 1, nameof(options.SearchLimit));
        ArgumentOutOfRangeException.ThrowIfNegative(options.ColdTurns, nameof(options.ColdTurns));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ColdRepeats, 1, nameof(options.ColdRepeats));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.DurationSeconds, nameof(options.DurationSeconds));
        ArgumentOutOfRangeException.ThrowIfNegative(options.WarmupSeconds, nameof(options.WarmupSeconds));
        if (options.RequestsPerSecond < 0 || double.IsNaN(options.RequestsPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RequestsPerSecond, "RequestsPerSecond is 0 (closed loop) or more.");
        }

        if (options.SearchShare is < 0 or > 1 || double.IsNaN(options.SearchShare))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SearchShare, "SearchShare is between 0 and 1.");
        }

        if (options.Url is not null && string.IsNullOrWhiteSpace(options.ApiKey))
        {
            throw new ArgumentException("An external server (Url) needs a tenant key (ApiKey).", nameof(options));
        }
    }

    // ---- set-up -------------------------------------------------------------------------------------------------

    private static async Task<string> CreateTenantKeyAsync(Uri endpoint, string adminKey, CancellationToken cancellationToken)
    {
        using var http = Session.CreateHttpClient(1);
        var admin = new MemoryFabricAdminClient(http, new MemoryFabricClientOptions { Endpoint = endpoint, ApiKey = adminKey, MaxRetries = 0 });
        await admin.CreateTenantAsync(TenantId, "memfab bench http", cancellationToken).ConfigureAwait(false);
        var key = await admin.CreateApiKeyAsync(TenantId, "bench", cancellationToken).ConfigureAwait(false);
        return key.Key;
    }

    // ---- 1. ingest ----------------------------------------------------------------------------------------------

    private static async Task<IngestPhaseResult> IngestAsync(
        Session session,
        HttpWorkload workload,
        IReadOnlyList<(int Stream, string Agent)> agents,
        int turnsPerAgent,
        int batchSize,
        int connections,
        string label,
        HttpBenchmarkOptions options,
        TextWriter log,
        CancellationToken cancellationToken)
    {
        // Round by round (every agent's first batch, then every agent's second, ...), so that concurrent batches go to
        // different agents as long as there are enough of them.
        var items = new List<(int Stream, string Agent, int Count)>();
        for (var done = 0; done < turnsPerAgent; done += batchSize)
        {
            foreach (var (stream, agent) in agents)
            {
                items.Add((stream, agent, Math.Min(batchSize, turnsPerAgent - done)));
            }
        }

        var workers = Math.Min(connections, items.Count);
        var latencies = Enumerable.Range(0, workers).Select(_ => new LatencyLog()).ToArray();
        var errors = Enumerable.Range(0, workers).Select(_ => new ErrorLog()).ToArray();
        var next = -1;
        long turns = 0;
        long batches = 0;
        var clock = Stopwatch.StartNew();
        var total = (long)turnsPerAgent * agents.Count;
        using (Ticker.Start(log, options.ProgressInterval, () =>
        {
            var done = Interlocked.Read(ref turns);
            return Invariant($"{Prefix}{label}: {done:N0}/{total:N0} turns, {done / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):N0} turns/s");
        }))
        {
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(
                async () =>
                {
                    while (true)
                    {
                        var i = Interlocked.Increment(ref next);
                        if (i >= items.Count)
                        {
                            return;
                        }

                        var item = items[i];
                        var batch = workload.Take(item.Stream, item.Count);
                        var start = Stopwatch.GetTimestamp();
                        try
                        {
                            var result = await session.Client.IngestAsync(item.Agent, batch, cancellationToken).ConfigureAwait(false);
                            latencies[w].Add(Stopwatch.GetTimestamp() - start);
                            Interlocked.Add(ref turns, result.StoredTurnIds.Count + result.DuplicateTurnIds.Count);
                            Interlocked.Increment(ref batches);
                        }
                        catch (Exception e) when (errors[w].Record(e, cancellationToken))
                        {
                        }
                    }
                },
                cancellationToken))).ConfigureAwait(false);
        }

        clock.Stop();
        var seconds = clock.Elapsed.TotalSeconds;
        return new IngestPhaseResult
        {
            Turns = turns,
            Batches = batches,
            Seconds = Math.Round(seconds, 3),
            TurnsPerSecond = Math.Round(turns / seconds, 1),
            BatchLatency = LatencyLog.Summarize(latencies),
            Errors = ErrorLog.Summarize(errors),
        };
    }

    // ---- 2. drain -----------------------------------------------------------------------------------------------

    private static async Task<DrainResult> DrainAsync(
        Session session, HttpWorkload workload, IReadOnlyList<string> agents, int expected, long? baseline, HttpBenchmarkOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        double? embeddingsAt = null;
        double? consolidatedAt = null;
        long? ran = null;
        var capped = false;
        var stalled = false;
        var kicked = 0;
        var lastPending = -1L;
        var lastChange = TimeSpan.Zero;
        AgentTotals totals;
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            totals = await PollAgentsAsync(session, agents, cancellationToken).ConfigureAwait(false);
            var now = clock.Elapsed.TotalSeconds;
            embeddingsAt = totals.PendingEmbeddings == 0 ? embeddingsAt ?? now : null;
            if (totals.PendingEmbeddings != lastPending)
            {
                lastPending = totals.PendingEmbeddings;
                lastChange = clock.Elapsed;
            }

            // Consolidations triggered by new turns, from /metrics (since the run started); without metrics, the agents
            // that have episodes (consolidation makes them).
            var counted = await ReadConsolidationsAsync(session, cancellationToken).ConfigureAwait(false);
            ran = counted is { } c ? c - (baseline ?? 0) : totals.AgentsWithEpisodes;
            var consolidated = ran >= expected;
            consolidatedAt = consolidated ? consolidatedAt ?? now : null;
            if (totals.PendingEmbeddings == 0 && consolidated)
            {
                break;
            }

            // Nothing on the server is indexing the rest (items a consolidation created wait for the agent's next write
            // or activation): write one turn to each such agent, once, so the mixed phase starts without that backlog;
            // if that does not help either, stop waiting (and report it) rather than sit out the cap.
            if (consolidated && clock.Elapsed - lastChange >= StallTimeout)
            {
                if (kicked > 0 || totals.PendingAgents.Count == 0)
                {
                    stalled = true;
                    break;
                }

                log.WriteLine(Invariant($"{Prefix}drain: {totals.PendingEmbeddings:N0} embeddings pending on {totals.PendingAgents.Count} agents and not decreasing for {StallTimeout.TotalSeconds:0} s: writing one turn to each to get them indexed"));
                foreach (var agent in totals.PendingAgents)
                {
                    await session.Client.IngestAsync(agents[agent], workload.Take(agent, 1), cancellationToken).ConfigureAwait(false);
                    kicked++;
                }

                lastChange = clock.Elapsed;
            }

            if (clock.Elapsed >= options.DrainTimeout)
            {
                capped = true;
                break;
            }

            if (clock.Elapsed - lastReport >= options.ProgressInterval)
            {
                lastReport = clock.Elapsed;
                log.WriteLine(Invariant($"{Prefix}drain: {totals.PendingEmbeddings:N0} embeddings pending, {ran}/{expected} consolidations, {now:F0} s"));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }

        clock.Stop();
        var result = new DrainResult
        {
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            EmbeddingsSeconds = embeddingsAt is { } e ? Math.Round(e, 3) : null,
            PendingEmbeddings = totals.PendingEmbeddings,
            Capped = capped,
            Stalled = stalled,
            AgentsWrittenToUnstall = kicked,
            CapSeconds = options.DrainTimeout.TotalSeconds,
            ConsolidationsExpected = expected,
            ConsolidationsRan = ran,
            ConsolidationSeconds = consolidatedAt is { } s ? Math.Round(s, 3) : null,
            Episodes = totals.Episodes,
            Notes = totals.Notes,
        };
        log.WriteLine(Invariant($"{Prefix}drain: {(capped ? "capped" : stalled ? "stalled (pending embeddings not decreasing)" : "done")} after {result.Seconds:F1} s (embeddings {Format(result.EmbeddingsSeconds)} s, ")
            + Invariant($"{result.PendingEmbeddings:N0} pending; consolidations {ran}/{expected} at {Format(result.ConsolidationSeconds)} s; {result.Episodes:N0} episodes, {result.Notes:N0} notes)"));
        return result;

        static string Format(double? seconds) => seconds is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) : "–";
    }

    private sealed record AgentTotals(long PendingEmbeddings, long Episodes, long Notes, long Turns, int AgentsWithEpisodes, IReadOnlyList<int> PendingAgents);

    private static async Task<AgentTotals> PollAgentsAsync(Session session, IReadOnlyList<string> agents, CancellationToken cancellationToken)
    {
        long pending = 0, episodes = 0, notes = 0, turns = 0;
        var withEpisodes = 0;
        var pendingAgents = new System.Collections.Concurrent.ConcurrentBag<int>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, agents.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Min(8, session.Connections), CancellationToken = cancellationToken },
            async (index, ct) =>
            {
                var summary = await session.Client.GetAgentAsync(agents[index], ct).ConfigureAwait(false);
                if (summary is null)
                {
                    return;
                }

                if (summary.PendingEmbeddings > 0)
                {
                    pendingAgents.Add(index);
                }

                Interlocked.Add(ref pending, summary.PendingEmbeddings);
                Interlocked.Add(ref episodes, summary.Episodes);
                Interlocked.Add(ref notes, summary.Notes);
                Interlocked.Add(ref turns, summary.Turns);
                if (summary.Episodes > 0)
                {
                    Interlocked.Increment(ref withEpisodes);
                }
            }).ConfigureAwait(false);
        return new AgentTotals(pending, episodes, notes, turns, withEpisodes, [.. pendingAgents.Order()]);
    }

    /// <summary>The number of consolidations triggered by new turns, from the server's Prometheus metrics
    /// (<c>memoryfabric_consolidation_duration_seconds_count{trigger="turns"}</c>), or <see langword="null"/> when the
    /// metrics cannot be read.</summary>
    private static async Task<long?> ReadConsolidationsAsync(Session session, CancellationToken cancellationToken)
    {
        var metrics = await MetricsSnapshot.ScrapeAsync(session.Http, session.Endpoint, cancellationToken).ConfigureAwait(false);
        return metrics is null ? null : (long)Math.Round(metrics.Sum("memoryfabric_consolidation_duration_seconds_count", "trigger=\"turns\""));
    }

    // ---- 3. mixed -----------------------------------------------------------------------------------------------

    private static async Task<MixedPhaseResult> MixedAsync(
        Session session, HttpWorkload workload, IReadOnlyList<string> agents, HttpBenchmarkOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        log.WriteLine(Invariant($"{Prefix}mixed: {options.SearchShare:P0} search / {1 - options.SearchShare:P0} ingest of {options.MixedIngestBatch} turns, ")
            + Invariant($"{options.Connections} connections, ")
            + (options.RequestsPerSecond > 0 ? Invariant($"{options.RequestsPerSecond:N0} requests/s offered, ") : "closed loop, ")
            + Invariant($"{options.WarmupSeconds:0.#} s warm-up + {options.DurationSeconds:0.#} s ..."));
        var workers = options.Connections;
        var searches = Enumerable.Range(0, workers).Select(_ => new LatencyLog()).ToArray();
        var ingests = Enumerable.Range(0, workers).Select(_ => new LatencyLog()).ToArray();
        var lags = Enumerable.Range(0, workers).Select(_ => new LatencyLog()).ToArray();
        var searchErrors = Enumerable.Range(0, workers).Select(_ => new ErrorLog()).ToArray();
        var ingestErrors = Enumerable.Range(0, workers).Select(_ => new ErrorLog()).ToArray();
        var emptySearches = new long[workers];
        var degradedSearches = new long[workers];
        var ingestedTurns = new long[workers];
        long completed = 0;
        Sample before, after;
        GcPauseLog pauses;

        var begin = Stopwatch.GetTimestamp();
        var measureFrom = begin + (long)(options.WarmupSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(options.DurationSeconds * Stopwatch.Frequency);
        using (Ticker.Start(log, options.ProgressInterval, () =>
        {
            var now = Stopwatch.GetTimestamp();
            var phase = now < measureFrom ? "warm-up" : "measuring";
            var elapsed = (now - begin) / (double)Stopwatch.Frequency;
            return Invariant($"{Prefix}mixed ({phase}): {Interlocked.Read(ref completed):N0} requests in {elapsed:F0} s");
        }))
        {
            var running = Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(
                async () =>
                {
                    var random = new Random(HashCode.Combine(options.Seed, w));
                    // Open loop: worker w sends at begin + (w / workers + k) × interval; latency counts from then.
                    var interval = options.RequestsPerSecond > 0 ? (long)(workers / options.RequestsPerSecond * Stopwatch.Frequency) : 0;
                    var next = begin + (interval * w / workers);
                    while (true)
                    {
                        var start = Stopwatch.GetTimestamp();
                        if (interval > 0)
                        {
                            var ahead = next - start;
                            if (ahead > 0)
                            {
                                await Task.Delay(TimeSpan.FromSeconds(ahead / (double)Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
                            }

                            start = next;
                            next += interval;
                        }

                        if (start >= measureTo)
                        {
                            return;
                        }

                        var measured = start >= measureFrom;
                        if (measured && interval > 0)
                        {
                            lags[w].Add(Math.Max(0, Stopwatch.GetTimestamp() - start));
                        }

                        var agent = random.Next(agents.Count);
                        var isSearch = random.NextDouble() < options.SearchShare;
                        try
                        {
                            if (isSearch)
                            {
                                var request = new SearchRequest { Query = workload.Query(agent, random), Limit = options.SearchLimit };
                                var answer = await session.Client.GetSearchResponseAsync(agents[agent], request, cancellationToken).ConfigureAwait(false);
                                if (measured)
                                {
                                    searches[w].Add(Stopwatch.GetTimestamp() - start);
                                    if (answer.Hits.Count == 0)
                                    {
                                        emptySearches[w]++;
                                    }

                                    if (answer.Degraded)
                                    {
                                        degradedSearches[w]++;
                                    }
                                }
                            }
                            else
                            {
                                var turns = workload.Take(agent, options.MixedIngestBatch);
                                var result = await session.Client.IngestAsync(agents[agent], turns, cancellationToken).ConfigureAwait(false);
                                if (measured)
                                {
                                    ingests[w].Add(Stopwatch.GetTimestamp() - start);
                                    ingestedTurns[w] += result.StoredTurnIds.Count;
                                }
                            }

                            Interlocked.Increment(ref completed);
                        }
                        catch (Exception e) when ((isSearch ? searchErrors : ingestErrors)[w].Record(e, cancellationToken))
                        {
                        }
                    }
                },
                cancellationToken)));

            // The server's and this process's counters at the start and the end of the measurement.
            var wait = TimeSpan.FromSeconds((measureFrom - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            if (wait > TimeSpan.Zero)
            {
                await Task.WhenAny(running, Task.Delay(wait, cancellationToken)).ConfigureAwait(false);
            }

            pauses = new GcPauseLog();
            try
            {
                before = await Sample.TakeAsync(session, cancellationToken).ConfigureAwait(false);
                await running.ConfigureAwait(false);
                after = await Sample.TakeAsync(session, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await pauses.DisposeAsync().ConfigureAwait(false);
            }
        }

        var seconds = options.DurationSeconds;
        var search = Operation(searches, searchErrors, seconds);
        var ingest = Operation(ingests, ingestErrors, seconds);
        var requests = search.Count + ingest.Count;
        var result = new MixedPhaseResult
        {
            Seconds = seconds,
            Requests = requests,
            RequestsPerSecond = Math.Round(requests / seconds, 1),
            Search = search,
            Ingest = ingest,
            IngestedTurns = ingestedTurns.Sum(),
            EmptySearches = emptySearches.Sum(),
            DegradedSearches = degradedSearches.Sum(),
            Errors = ErrorLog.Summarize([.. searchErrors, .. ingestErrors]),
            Server = Sample.Server(before, after),
            Process = Sample.Process(before, after) with { GcPauses = pauses.Summarize(new HttpBenchmarkTargets().SearchP99Ms) },
            SendLag = options.RequestsPerSecond > 0 ? LatencyLog.Summarize(lags) : null,
        };
        log.WriteLine(Invariant($"{Prefix}mixed: {result.RequestsPerSecond:N0} requests/s; search {search.RequestsPerSecond:N0}/s p50 {search.Latency.P50Ms:F1} ms p99 {search.Latency.P99Ms:F1} ms; ")
            + Invariant($"ingest {ingest.RequestsPerSecond:N0}/s p50 {ingest.Latency.P50Ms:F1} ms p99 {ingest.Latency.P99Ms:F1} ms; {result.Errors.Total} errors; ")
            + Invariant($"{result.DegradedShare:P1} of searches degraded"));
        return result;

        static OperationResult Operation(LatencyLog[] latencies, ErrorLog[] errors, double seconds)
        {
            var summary = LatencyLog.Summarize(latencies);
            return new OperationResult
            {
                Count = summary.Count,
                RequestsPerSecond = Math.Round(summary.Count / seconds, 1),
                Latency = summary,
                Errors = ErrorLog.Summarize(errors),
            };
        }
    }

    // ---- 4. cold activation -------------------------------------------------------------------------------------

    private static async Task<ColdActivationResult> ColdActivationAsync(
        InProcessServer running,
        Session session,
        HttpWorkload workload,
        int coldStream,
        string coldAgent,
        string? warmingAgent,
        string dataDirectory,
        string adminKey,
        HttpBenchmarkOptions options,
        TextWriter log,
        CancellationToken cancellationToken)
    {
        InProcessServer? server = running;
        try
        {
            log.WriteLine(Invariant($"{Prefix}cold activation: ingesting {options.ColdTurns:N0} turns into one agent ..."));
            var ingest = await IngestAsync(
                session, workload, [(coldStream, coldAgent)], options.ColdTurns, options.BatchSize, Math.Min(4, options.Connections), "cold set-up", options, log, cancellationToken)
                .ConfigureAwait(false);
            if (ingest.Errors.Total > 0)
            {
                throw new InvalidOperationException($"The cold-activation agent could not be written: {ingest.Errors.FirstMessage}");
            }

            // Its dense index complete, then consolidated (snapshot written, journal compacted).
            var drain = Stopwatch.StartNew();
            while (true)
            {
                var summary = await session.Client.GetAgentAsync(coldAgent, cancellationToken).ConfigureAwait(false);
                if (summary is null || summary.PendingEmbeddings == 0 || drain.Elapsed >= options.DrainTimeout)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }

            drain.Stop();
            var consolidation = await session.Client.ConsolidateAsync(coldAgent, cancellationToken).ConfigureAwait(false);
            // An agent in use: searched before the restarts (its guard has judged its history, which its snapshot keeps).
            await session.Client.GetSearchResponseAsync(coldAgent, new SearchRequest { Query = workload.Query(coldStream, new Random(options.Seed)), Limit = options.SearchLimit }, cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            var pendingAfter = (await session.Client.GetAgentAsync(coldAgent, cancellationToken).ConfigureAwait(false))?.PendingEmbeddings ?? 0;
            log.WriteLine(Invariant($"{Prefix}cold activation: indexed in {drain.Elapsed.TotalSeconds:F1} s, consolidated in {consolidation.Duration.TotalMilliseconds:F0} ms; restarting the server {options.ColdRepeats} times ..."));

            var stops = new List<double> { (await server.StopAsync().ConfigureAwait(false)).TotalMilliseconds };
            server = null;

            // The consolidation's new episodes and notes wait for their embedding until the agent's next write or
            // activation: settle that in one restart that is not measured, so every measured restart loads the same,
            // fully indexed agent.
            var settled = false;
            if (pendingAfter > 0)
            {
                settled = true;
                server = await InProcessServer.StartAsync(dataDirectory, options.Embedder, adminKey, InProcessServer.LoadSettings(options.ConsolidateAfterTurns), log, cancellationToken).ConfigureAwait(false);
                using (var settling = new Session(server.Address, session.ApiKey, 1, options.BatchSize))
                {
                    var wait = Stopwatch.StartNew();
                    while ((await settling.Client.GetAgentAsync(coldAgent, cancellationToken).ConfigureAwait(false))?.PendingEmbeddings > 0 && wait.Elapsed < options.DrainTimeout)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
                    }

                    log.WriteLine(Invariant($"{Prefix}cold activation: settling restart indexed the consolidation's {pendingAfter:N0} items in {wait.Elapsed.TotalSeconds:F1} s"));
                }

                await server.StopAsync().ConfigureAwait(false);
                server = null;
            }

            var bytes = DirectoryBytes(dataDirectory);
            var command = ResolveServerCommand(options);
            var cold = new List<double>();
            var warm = new List<double>();
            var starts = new List<double>();
            var answers = new List<double>();
            var loads = new List<double>();
            var firstSearches = new List<double>();
            var searches = new List<double>();
            var inWarmProcess = new List<double>();
            string? warmCache = options.DropPageCache ? null : "not dropped (--page-cache keep)";
            log.WriteLine(Invariant($"{Prefix}cold activation: each start is a fresh server process: {string.Join(' ', [command.Program, .. command.Arguments])}"));
            for (var i = 0; i < options.ColdRepeats; i++)
            {
                if (warmCache is null)
                {
                    warmCache = await PageCache.TryDropAsync(PageCache.DropCachesPath, cancellationToken).ConfigureAwait(false);
                    if (warmCache is not null)
                    {
                        log.WriteLine(Invariant($"{Prefix}cold activation: the page cache cannot be dropped ({warmCache}): it is warm for every start"));
                    }
                }

                await using var process = ServerProcess.Start(command, dataDirectory, options.Embedder, adminKey, options.ConsolidateAfterTurns, log);
                using (var restarted = new Session(process.Address, session.ApiKey, 1, options.BatchSize))
                {
                    // From the spawn: poll /readyz every 10 ms until the server answers ready, then ask for the agent
                    // at once (its first request: activation from storage, in a process where nothing is warm).
                    await WaitReadyAsync(process, restarted, options.DrainTimeout, cancellationToken).ConfigureAwait(false);
                    var ready = Stopwatch.GetTimestamp();
                    starts.Add(LatencyLog.Milliseconds(ready - process.StartTimestamp));
                    var first = await restarted.Client.GetAgentAsync(coldAgent, cancellationToken).ConfigureAwait(false);
                    var answered = Stopwatch.GetTimestamp();
                    cold.Add(LatencyLog.Milliseconds(answered - ready));
                    answers.Add(LatencyLog.Milliseconds(answered - process.StartTimestamp));
                    var metrics = await MetricsSnapshot.ScrapeAsync(restarted.Http, restarted.Endpoint, cancellationToken).ConfigureAwait(false);
                    // Every storage read of the fresh process so far (the agent's, and any other grain's its activation
                    // needed): the metrics are scraped only after the answer, so that nothing else is warmed before it.
                    if (metrics is not null
                        && MetricsSnapshot.MeanMs(MetricsSnapshot.Parse(string.Empty), metrics, "memoryfabric_storage_duration_seconds", "operation=\"load\"") is ({ } loadMs, > 0 and var count))
                    {
                        loads.Add(Math.Round(loadMs * count, 3));
                    }

                    EnsureIntact(first, options);

                    for (var j = 0; j < 3; j++)
                    {
                        var start = Stopwatch.GetTimestamp();
                        await restarted.Client.GetAgentAsync(coldAgent, cancellationToken).ConfigureAwait(false);
                        warm.Add(LatencyLog.Milliseconds(Stopwatch.GetTimestamp() - start));
                    }

                    // The first search after the activation (the query encode, and what the retrieval builds on first
                    // use), then the next ones with other queries of the same texts.
                    var queries = new Random(options.Seed + i);
                    for (var j = 0; j < 4; j++)
                    {
                        var request = new SearchRequest { Query = workload.Query(coldStream, queries), Limit = options.SearchLimit };
                        var start = Stopwatch.GetTimestamp();
                        await restarted.Client.GetSearchResponseAsync(coldAgent, request, cancellationToken).ConfigureAwait(false);
                        (j == 0 ? firstSearches : searches).Add(LatencyLog.Milliseconds(Stopwatch.GetTimestamp() - start));
                    }
                }

                stops.Add((await process.StopAsync().ConfigureAwait(false)).TotalMilliseconds);
                log.WriteLine(Invariant($"{Prefix}cold activation {i + 1}/{options.ColdRepeats}: fresh process to first answer {answers[^1]:F1} ms = ready after {starts[^1]:F1} ms + first request {cold[^1]:F1} ms")
                    + (loads.Count == i + 1 ? Invariant($" (storage reads {loads[^1]:F1} ms)") : string.Empty) + Invariant($", then {warm[^1]:F2} ms")
                    + Invariant($"; first search {firstSearches[^1]:F1} ms, then {searches[^1]:F1} ms"));

                if (warmingAgent is not null)
                {
                    inWarmProcess.Add(await ActivateInWarmProcessAsync(command, dataDirectory, adminKey, session.ApiKey, warmingAgent, coldAgent, warmCache is null, options, log, cancellationToken).ConfigureAwait(false));
                    log.WriteLine(Invariant($"{Prefix}cold activation {i + 1}/{options.ColdRepeats}: in a fresh process that first answered for {warmingAgent}: first request {inWarmProcess[^1]:F1} ms"));
                }
            }

            return new ColdActivationResult
            {
                Turns = ingest.Turns,
                Ingest = ingest,
                DrainSeconds = Math.Round(drain.Elapsed.TotalSeconds, 3),
                ConsolidationMs = Math.Round(consolidation.Duration.TotalMilliseconds, 1),
                PendingEmbeddingsAfterConsolidation = pendingAfter,
                SettlingRestart = settled,
                DataDirectoryBytes = bytes,
                ColdMs = cold,
                ColdMedianMs = Median(cold),
                ColdMaxMs = cold.Max(),
                StorageLoadMs = loads,
                StorageLoadMedianMs = loads.Count == 0 ? null : Median(loads),
                InWarmProcessMs = inWarmProcess,
                InWarmProcessMedianMs = inWarmProcess.Count == 0 ? null : Median(inWarmProcess),
                FirstSearchMs = firstSearches,
                FirstSearchMedianMs = Median(firstSearches),
                SearchMedianMs = Median(searches),
                WarmMedianMs = Median(warm),
                WarmMaxMs = warm.Max(),
                ServerStartMedianMs = Math.Round(Median(starts), 1),
                StartToAnswerMs = answers,
                StartToAnswerMedianMs = Median(answers),
                StartToAnswerMaxMs = answers.Max(),
                StartToReadyMs = starts,
                ServerProcess = string.Join(' ', [Path.GetFileName(command.Program), .. command.Arguments.Select(a => Path.IsPathRooted(a) ? Path.GetFileName(a) : a)]),
                PageCache = warmCache is null ? "dropped before each start (sync; echo 3 > /proc/sys/vm/drop_caches)" : $"warm: {warmCache}",
                ServerStopMedianMs = Math.Round(Median(stops), 1),
            };
        }
        finally
        {
            if (server is not null)
            {
                await server.StopAsync().ConfigureAwait(false);
            }
        }
    }

    // The same agent's activation in a process that has already served a request (another agent's, activated from
    // storage too): what a cold agent costs a running server, without the process's own first-use costs (JIT of the
    // request path and the restore, the key's look-up, the grain runtime). The page cache is dropped again after that
    // request when the measured starts drop it, so the agent's pages still come from the disk.
    private static async Task<double> ActivateInWarmProcessAsync(
        ProcessCommand command,
        string dataDirectory,
        string adminKey,
        string apiKey,
        string warmingAgent,
        string coldAgent,
        bool dropPageCache,
        HttpBenchmarkOptions options,
        TextWriter log,
        CancellationToken cancellationToken)
    {
        await using var process = ServerProcess.Start(command, dataDirectory, options.Embedder, adminKey, options.ConsolidateAfterTurns, log);
        using var session = new Session(process.Address, apiKey, 1, options.BatchSize);
        await WaitReadyAsync(process, session, options.DrainTimeout, cancellationToken).ConfigureAwait(false);
        if (await session.Client.GetAgentAsync(warmingAgent, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new InvalidOperationException($"The agent {warmingAgent} that warms the process up was not found.");
        }

        if (dropPageCache)
        {
            await PageCache.TryDropAsync(PageCache.DropCachesPath, cancellationToken).ConfigureAwait(false);
        }

        var start = Stopwatch.GetTimestamp();
        var summary = await session.Client.GetAgentAsync(coldAgent, cancellationToken).ConfigureAwait(false);
        var elapsed = LatencyLog.Milliseconds(Stopwatch.GetTimestamp() - start);
        EnsureIntact(summary, options);
        await process.StopAsync().ConfigureAwait(false);
        return elapsed;
    }

    // A restarted process must find the cold agent whole: a timing of an agent that lost turns means nothing.
    private static void EnsureIntact(AgentSummary? summary, HttpBenchmarkOptions options)
    {
        if (summary is null || summary.Turns < options.ColdTurns)
        {
            throw new InvalidOperationException($"After the restart the cold-activation agent has {summary?.Turns ?? 0} turns, not {options.ColdTurns}.");
        }
    }

    private static ProcessCommand ResolveServerCommand(HttpBenchmarkOptions options)
    {
        if (options.ServerCommand is { } command)
        {
            return command;
        }

        var server = Path.Combine(AppContext.BaseDirectory, "MemoryFabric.Server.dll");
        if (!File.Exists(server))
        {
            throw new FileNotFoundException($"The cold-activation phase starts a fresh server process: set HttpBenchmarkOptions.ServerCommand, or put MemoryFabric.Server.dll beside {AppContext.BaseDirectory}.", server);
        }

        return ProcessCommand.ForApplication(server, Environment.ProcessPath, Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"), ExecutableSearch.CurrentPath);
    }

    private static async Task WaitReadyAsync(ServerProcess process, Session session, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server process exited before it was ready: {process.OutputTail}");
            }

            if (Stopwatch.GetElapsedTime(process.StartTimestamp) > timeout)
            {
                throw new TimeoutException($"The server process was not ready after {timeout.TotalSeconds:F0} s: {process.OutputTail}");
            }

            try
            {
                if (await session.Client.IsReadyAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or MemoryFabricApiException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- results ------------------------------------------------------------------------------------------------

    private static HttpBenchmarkTargets EvaluateTargets(IngestPhaseResult ingest, MixedPhaseResult mixed, ColdActivationResult? cold)
    {
        var targets = new HttpBenchmarkTargets();
        return targets with
        {
            SearchP99Met = mixed.Search.Latency.Count > 0 && mixed.Search.Latency.P99Ms <= targets.SearchP99Ms,
            RequestsPerSecondMet = mixed.RequestsPerSecond >= targets.RequestsPerSecond,
            IngestMet = ingest.TurnsPerSecond >= targets.IngestTurnsPerSecond,
            ColdActivationMet = cold is null ? null : cold.ColdMedianMs <= targets.ColdActivationMs,
        };
    }

    private static HttpBenchmarkMachine DescribeMachine() => new()
    {
        ProcessorCount = Environment.ProcessorCount,
        Cpu = CpuModel(),
        Os = RuntimeInformation.OSDescription,
        Framework = RuntimeInformation.FrameworkDescription,
        ServerGc = GCSettings.IsServerGC,
    };

    private static double? LoadAverage()
    {
        try
        {
            const string loadavg = "/proc/loadavg";
            return File.Exists(loadavg) && double.TryParse(File.ReadAllText(loadavg).Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load)
                ? load
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? CpuModel()
    {
        try
        {
            const string cpuinfo = "/proc/cpuinfo";
            return File.Exists(cpuinfo)
                ? File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static double Median(List<double> values)
    {
        return values.Count == 0 ? 0 : Math.Round(Benchmarks.Median.Of(values), 3);
    }

    private static long DirectoryBytes(string directory)
    {
        try
        {
            return new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static async Task DeleteAgentsAsync(Session session, IReadOnlyList<string> agents, TextWriter log)
    {
        var failed = 0;
        await Parallel.ForEachAsync(agents, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(8, session.Connections) }, async (agent, ct) =>
        {
            try
            {
                await session.Client.DeleteAgentAsync(agent, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MemoryFabricApiException or HttpRequestException or TimeoutException)
            {
                Interlocked.Increment(ref failed);
            }
        }).ConfigureAwait(false);
        if (failed > 0)
        {
            log.WriteLine(Invariant($"{Prefix}{failed} benchmark agents could not be deleted"));
        }
    }

    private static void TryDeleteDirectory(string directory, TextWriter log)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.WriteLine(Invariant($"{Prefix}could not delete {directory}: {e.Message}"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The HTTP client of a run: one <see cref="SocketsHttpHandler"/> with one connection per worker, and the
    /// typed client over it (no retries: every failure is counted).</summary>
    private sealed class Session : IDisposable
    {
        public Session(Uri endpoint, string apiKey, int connections, int batchSize)
        {
            Endpoint = endpoint;
            ApiKey = apiKey;
            Connections = connections;
            Http = CreateHttpClient(connections);
            Client = new MemoryFabricClient(Http, new MemoryFabricClientOptions
            {
                Endpoint = endpoint,
                ApiKey = apiKey,
                MaxRetries = 0,
                MaxBatchSize = batchSize,
                Timeout = TimeSpan.FromSeconds(60),
            });
        }

        public Uri Endpoint { get; }

        public string ApiKey { get; }

        public int Connections { get; }

        public HttpClient Http { get; }

        public MemoryFabricClient Client { get; }

        public static HttpClient CreateHttpClient(int connections) => new(
            new SocketsHttpHandler
            {
                MaxConnectionsPerServer = connections,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
                UseProxy = false,
                UseCookies = false,
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        public void Dispose() => Http.Dispose();
    }

    private const string SearchRoute = "http_route=\"/v1/agents/{agent}/search\"";

    /// <summary>The server's metrics and this process's CPU and GC counters at one moment.</summary>
    private sealed record Sample(MetricsSnapshot? Metrics, TimeSpan Cpu, long Timestamp, int Gen0, int Gen1, int Gen2, TimeSpan GcPause)
    {
        public static async Task<Sample> TakeAsync(Session session, CancellationToken cancellationToken)
        {
            var metrics = await MetricsSnapshot.ScrapeAsync(session.Http, session.Endpoint, cancellationToken).ConfigureAwait(false);
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return new Sample(
                metrics, process.TotalProcessorTime, Stopwatch.GetTimestamp(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        }

        public static ServerSideResult? Server(Sample before, Sample after)
        {
            if (before.Metrics is not { } b || after.Metrics is not { } a)
            {
                return null;
            }

            const string request = "http_server_request_duration_seconds";
            var search = MetricsSnapshot.MeanMs(b, a, request, SearchRoute);
            var ingest = MetricsSnapshot.MeanMs(b, a, request, "http_route=\"/v1/agents/{agent}/turns\"", "http_request_method=\"POST\"");
            var calls = MetricsSnapshot.MeanMs(b, a, "memoryfabric_actor_call_duration_seconds", "actor_type=\"agent\"");
            return new ServerSideResult
            {
                SearchRequestMeanMs = search.MeanMs,
                IngestRequestMeanMs = ingest.MeanMs,
                AgentCalls = calls.Count,
                AgentCallMeanMs = calls.MeanMs,
                EmbeddingsIndexed = MetricsSnapshot.Delta(b, a, "memoryfabric_embeddings_indexed_total"),
                Consolidations = MetricsSnapshot.Delta(b, a, "memoryfabric_consolidation_duration_seconds_count"),
                SnapshotsWritten = MetricsSnapshot.Delta(b, a, "memoryfabric_storage_duration_seconds_count", "operation=\"snapshot\""),
                SearchRequestsOver25MsShare = search.Count <= 0 ? null : Math.Round(
                    1 - (MetricsSnapshot.Delta(b, a, request + "_bucket", SearchRoute, "le=\"0.025\"") / (double)search.Count), 4),
            };
        }

        public static ProcessResult Process(Sample before, Sample after)
        {
            var seconds = (after.Timestamp - before.Timestamp) / (double)Stopwatch.Frequency;
            var cpu = (after.Cpu - before.Cpu).TotalSeconds;
            return new ProcessResult
            {
                CpuUtilization = seconds <= 0 ? 0 : Math.Round(cpu / (seconds * Environment.ProcessorCount), 3),
                Gen0Collections = after.Gen0 - before.Gen0,
                Gen1Collections = after.Gen1 - before.Gen1,
                Gen2Collections = after.Gen2 - before.Gen2,
                GcPauseMs = Math.Round((after.GcPause - before.GcPause).TotalMilliseconds, 1),
                GcPauseShare = seconds <= 0 ? 0 : Math.Round((after.GcPause - before.GcPause).TotalSeconds / seconds, 4),
            };
        }
    }

    /// <summary>Writes a progress line every interval while a phase runs.</summary>
    private sealed class Ticker : IDisposable
    {
        private readonly ITimer _timer;

        private Ticker(TextWriter log, TimeSpan interval, Func<string> line)
        {
            _timer = TimeProvider.System.CreateTimer(_ => log.WriteLine(line()), null, interval, interval);
        }

        public static Ticker Start(TextWriter log, TimeSpan interval, Func<string> line) => new(log, interval, line);

        public void Dispose() => _timer.Dispose();
    }
}
