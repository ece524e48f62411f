using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Client;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Benchmarks.Behaviour;

/// <summary><c>memfab bench behaviour</c>: what a new user tries first, against the server as it is configured.
/// Read-after-write (facts written one at a time, each looked for at once: as turns, as API notes, in a small
/// context), duplicates (paraphrased notes, identical turns), a fact that changed, and searches while an agent
/// consolidates a long conversation.</summary>
public static class BehaviourProbe
{
    private const string Prefix = "memfab bench behaviour: ";
    private const string TenantId = "bench-behaviour";

    /// <summary>The rate of the searches issued while an agent consolidates.</summary>
    private const int SearchesPerSecond = 100;

    /// <summary>The most distinct facts the probe can write per mode.</summary>
    public static int MaxFacts => FactCorpus.Capacity;

    /// <summary>Runs the probe.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What was measured.</returns>
    public static async Task<BehaviourReport> RunAsync(BehaviourProbeOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (options.Facts < 1 || options.Facts > FactCorpus.Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Facts, $"Facts is between 1 and {FactCorpus.Capacity}.");
        }

        Http.InProcessServer? server = null;
        string? temporary = null;
        try
        {
            Uri endpoint;
            string key;
            string embedder;
            if (options.Url is { } url)
            {
                endpoint = url;
                key = options.ApiKey ?? throw new ArgumentException("A running server (Url) needs a tenant key (ApiKey).", nameof(options));
                embedder = "the server's";
            }
            else
            {
                var dataDirectory = options.DataDirectory ?? (temporary = Directory.CreateTempSubdirectory("memfab-behaviour-").FullName);
                var adminKey = "mfa_behaviour_" + Guid.NewGuid().ToString("N");
                log.WriteLine(Invariant($"{Prefix}starting the server in-process (embedder {options.Embedder}, data {dataDirectory})"));
                // No consolidation triggered by turn counts or idle sessions: the probe consolidates when it means to.
                server = await Http.InProcessServer.StartAsync(dataDirectory, options.Embedder, adminKey, [.. ServerSettings, .. options.ServerSettings], log, cancellationToken, "memfab bench behaviour").ConfigureAwait(false);
                endpoint = server.Address;
                embedder = server.EmbedderName;
                using var adminHttp = new HttpClient();
                var admin = new MemoryFabricAdminClient(adminHttp, new MemoryFabricClientOptions { Endpoint = endpoint, ApiKey = adminKey, MaxRetries = 0 });
                await admin.CreateTenantAsync(TenantId, "memfab bench behaviour", cancellationToken).ConfigureAwait(false);
                key = (await admin.CreateApiKeyAsync(TenantId, "probe", cancellationToken).ConfigureAwait(false)).Key;
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            var client = new MemoryFabricClient(http, new MemoryFabricClientOptions { Endpoint = endpoint, ApiKey = key, MaxRetries = 0, Timeout = TimeSpan.FromMinutes(5) });
            var run = Guid.NewGuid().ToString("N")[..8];
            var facts = FactCorpus.Distinct(options.Facts, options.Seed);

            var readAfterWrite = new List<ReadAfterWriteResult>
            {
                await TurnsAsync(client, "raw-turns-" + run, facts, options, log, cancellationToken).ConfigureAwait(false),
                await NotesAsync(client, "raw-notes-" + run, facts, options, log, cancellationToken).ConfigureAwait(false),
                await ContextAsync(client, "raw-context-" + run, facts, options, log, cancellationToken).ConfigureAwait(false),
            };
            var duplicates = await DuplicatesAsync(client, "dupes-" + run, cancellationToken).ConfigureAwait(false);
            var stale = await StaleFactAsync(client, http, endpoint, key, "moved-" + run, options, cancellationToken).ConfigureAwait(false);
            var consolidation = options.ConsolidationTurns > 0
                ? await ConsolidationAsync(client, "consolidating-" + run, options, log, cancellationToken).ConfigureAwait(false)
                : null;
            return new BehaviourReport
            {
                Embedder = embedder,
                ReadAfterWrite = readAfterWrite,
                Duplicates = duplicates,
                StaleFact = stale,
                Consolidation = consolidation,
            };
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            if (temporary is not null)
            {
                try
                {
                    Directory.Delete(temporary, recursive: true);
                }
                catch (IOException)
                {
                    // left behind; the temporary directory is the system's to clean
                }
            }
        }
    }

    /// <summary>The in-process server's settings: no rate limit, and no consolidation the probe did not ask for.</summary>
    internal static IReadOnlyList<string> ServerSettings { get; } =
        ["RateLimitPerSecond=0", "ConsolidateAfterTurns=1000000", "ConsolidationPeriod=1.00:00:00"];

    private static Task<ReadAfterWriteResult> TurnsAsync(
        MemoryFabricClient client, string agent, IReadOnlyList<Fact> facts, BehaviourProbeOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        return ReadAfterWriteAsync(
            "turns", Invariant($"the turn, or an item drawn from it, in the top {options.TopK} of /search"), facts, log,
            async (fact, i, ct) =>
            {
                var turnId = (await client.IngestAsync(agent, [Turn(fact.Subject, fact.Statement, "s1", start.AddSeconds(i))], ct).ConfigureAwait(false)).StoredTurnIds.Single();
                var hits = await client.SearchAsync(agent, new SearchRequest { Query = fact.Question, Limit = options.TopK }, ct).ConfigureAwait(false);
                return (hits.Any(h => h.Item.TurnIds.Contains(turnId)), hits);
            },
            cancellationToken);
    }

    private static Task<ReadAfterWriteResult> NotesAsync(
        MemoryFabricClient client, string agent, IReadOnlyList<Fact> facts, BehaviourProbeOptions options, TextWriter log, CancellationToken cancellationToken) =>
        ReadAfterWriteAsync(
            "notes", Invariant($"the note written through POST /notes in the top {options.TopK} of /search"), facts, log,
            async (fact, _, ct) =>
            {
                var written = await client.AddNoteAsync(agent, new NoteWrite { Text = fact.Statement, Subject = fact.Subject }, ct).ConfigureAwait(false);
                var hits = await client.SearchAsync(agent, new SearchRequest { Query = fact.Question, Limit = options.TopK }, ct).ConfigureAwait(false);
                return (hits.Any(h => h.Item.Id == written.Note.Id || h.Item.Id == written.Note.LineageId), hits);
            },
            cancellationToken);

    private static Task<ReadAfterWriteResult> ContextAsync(
        MemoryFabricClient client, string agent, IReadOnlyList<Fact> facts, BehaviourProbeOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        return ReadAfterWriteAsync(
            "context", Invariant($"the turn (or its fact) in a {options.ContextBudget}-token /context"), facts, log,
            async (fact, i, ct) =>
            {
                var turnId = (await client.IngestAsync(agent, [Turn(fact.Subject, fact.Statement, "s1", start.AddSeconds(i))], ct).ConfigureAwait(false)).StoredTurnIds.Single();
                var context = await client.GetContextAsync(agent, new ContextRequest { Query = fact.Question, TokenBudget = options.ContextBudget }, ct).ConfigureAwait(false);
                var hit = context.Items.Any(item => item.TurnIds.Contains(turnId))
                    || context.Text.Contains(fact.Value, StringComparison.OrdinalIgnoreCase) && context.Text.Contains(fact.Subject, StringComparison.Ordinal);
                return (hit, (IReadOnlyList<SearchHit>?)null);
            },
            cancellationToken);
    }

    // One read-after-write check: for each fact, write it one way and look for it at once another way.
    private static async Task<ReadAfterWriteResult> ReadAfterWriteAsync(
        string mode,
        string where,
        IReadOnlyList<Fact> facts,
        TextWriter log,
        Func<Fact, int, CancellationToken, Task<(bool Found, IReadOnlyList<SearchHit>? Hits)>> writeAndLook,
        CancellationToken cancellationToken)
    {
        var found = 0;
        var misses = new List<string>();
        for (var i = 0; i < facts.Count; i++)
        {
            var (hit, hits) = await writeAndLook(facts[i], i, cancellationToken).ConfigureAwait(false);
            Count(hit, facts[i], ref found, misses, hits);
            Progress(log, mode, i + 1, facts.Count, found);
        }

        return new ReadAfterWriteResult(mode, where, facts.Count, found, misses);
    }

    private static async Task<DuplicateResult> DuplicatesAsync(MemoryFabricClient client, string agent, CancellationToken cancellationToken)
    {
        string[] paraphrases =
        [
            "Alice is allergic to peanuts.",
            "Alice has a peanut allergy.",
            "Peanuts give Alice an allergic reaction.",
            "Alice can't eat peanuts because she is allergic to them.",
            "Alice is allergic to peanuts, so she avoids them.",
        ];
        var operations = new List<string>();
        foreach (var text in paraphrases)
        {
            var result = await client.AddNoteAsync(agent, new NoteWrite { Text = text, Subject = "Alice" }, cancellationToken).ConfigureAwait(false);
            operations.Add(JsonNamingPolicy.CamelCase.ConvertName(result.Operation.ToString()));
        }

        var active = (await client.ListNotesAsync(agent, includeInactive: false, cancellationToken).ConfigureAwait(false)).Count;

        var turnsAgent = agent + "-turns";
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        const string Repeated = "My favourite colour is teal.";
        for (var i = 0; i < 5; i++)
        {
            await client.IngestAsync(turnsAgent, [Turn("Bob", Repeated, "s" + i.ToString(CultureInfo.InvariantCulture), start.AddMinutes(i * 10))], cancellationToken).ConfigureAwait(false);
        }

        var context = await client.GetContextAsync(turnsAgent, new ContextRequest { Query = "What is Bob's favourite colour?", TokenBudget = 1000 }, cancellationToken).ConfigureAwait(false);
        var copies = CountOccurrences(context.Text, Repeated.TrimEnd('.'));
        return new DuplicateResult(active, operations, copies);
    }

    private static async Task<StaleFactResult> StaleFactAsync(
        MemoryFabricClient client, HttpClient http, Uri endpoint, string key, string agent, BehaviourProbeOptions options, CancellationToken cancellationToken)
    {
        var then = DateTimeOffset.UtcNow.AddDays(-60);
        await client.IngestAsync(agent,
        [
            Turn("Alice", "I live in Paris, in a small flat near the canal.", "s1", then),
            Turn("Bob", "That sounds lovely, do you like the neighbourhood?", "s1", then.AddMinutes(1)),
            Turn("Alice", "I do, the bakery downstairs is wonderful.", "s1", then.AddMinutes(2)),
        ], cancellationToken).ConfigureAwait(false);
        await client.IngestAsync(agent,
        [
            Turn("Alice", "Big news: I moved to Berlin last month for the new job.", "s2", then.AddDays(30)),
            Turn("Bob", "Congratulations! How is the new place?", "s2", then.AddDays(30).AddMinutes(1)),
        ], cancellationToken).ConfigureAwait(false);
        await client.ConsolidateAsync(agent, cancellationToken).ConfigureAwait(false);

        string[] queries = ["Where does Alice live?", "Where does Alice live now?", "Which city is Alice in?"];
        var results = new List<StaleQuery>();
        int successorFirst = 0, staleHits = 0, marked = 0;
        foreach (var query in queries)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, $"v1/agents/{Uri.EscapeDataString(agent)}/search"))
            {
                Content = JsonContent.Create(new { query, limit = options.TopK }),
            };
            request.Headers.Authorization = new("Bearer", key);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            int? successor = null, stale = null;
            var rank = 0;
            foreach (var hit in json.RootElement.GetProperty("hits").EnumerateArray())
            {
                rank++;
                var text = hit.GetProperty("item").GetProperty("text").GetString() ?? string.Empty;
                var berlin = text.Contains("Berlin", StringComparison.OrdinalIgnoreCase);
                var paris = text.Contains("Paris", StringComparison.OrdinalIgnoreCase);
                if (berlin)
                {
                    successor ??= rank;
                }
                else if (paris)
                {
                    stale ??= rank;
                    // Turns and notes say when they are stale; an episode tells more than the one fact and stays active.
                    var kind = hit.GetProperty("item").GetProperty("kind").ToString().ToLowerInvariant();
                    if (kind is "turn" or "note")
                    {
                        staleHits++;
                        if (Status(hit) is { } status && status != "active")
                        {
                            marked++;
                        }
                    }
                }
            }

            if (successor is { } s && (stale is null || s < stale))
            {
                successorFirst++;
            }

            results.Add(new StaleQuery(query, successor, stale));
        }

        return new StaleFactResult(results, successorFirst, staleHits, marked);
    }

    /// <summary>A hit's life-cycle status, wherever the wire format carries it (on the hit or on its item).</summary>
    private static string? Status(JsonElement hit)
    {
        foreach (var owner in new[] { hit, hit.GetProperty("item") })
        {
            if (owner.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String)
            {
                return status.GetString()?.ToLowerInvariant();
            }
        }

        return null;
    }

    private static async Task<ConsolidationProbeResult> ConsolidationAsync(
        MemoryFabricClient client, string agent, BehaviourProbeOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        string consolidationTexts;
        // A long conversation, none of it consolidated yet: LoCoMo's when its file is there (one conversation after
        // another, with their questions), else the facts in sessions of 30 turns between two speakers.
        List<TurnInput> turns;
        List<string> queries;
        if (!string.IsNullOrWhiteSpace(options.LocomoPath) && File.Exists(options.LocomoPath))
        {
            var workload = Http.HttpWorkload.Create(options.LocomoPath, synthetic: false, streams: 1, options.Seed);
            turns = [.. workload.Take(0, options.ConsolidationTurns)];
            var random = new Random(options.Seed);
            queries = Enumerable.Range(0, 200).Select(_ => workload.Query(0, random)).Distinct().ToList();
            consolidationTexts = workload.Source;
        }
        else
        {
            var facts = FactCorpus.Conversation(options.ConsolidationTurns, options.Seed + 1);
            var start = DateTimeOffset.UtcNow.AddDays(-90);
            turns = facts.Select((f, i) => Turn(i % 2 == 0 ? "Dana" : "Eli", f.Statement, "c" + (i / 30).ToString(CultureInfo.InvariantCulture), start.AddHours(i / 30 * 24).AddMinutes(i % 30)))
                .ToList();
            queries = facts.Select(f => f.Question).Distinct().ToList();
            consolidationTexts = "facts";
        }

        foreach (var batch in turns.Chunk(100))
        {
            await client.IngestAsync(agent, batch, cancellationToken).ConfigureAwait(false);
        }

        // The dense index catches up first, so that the searches measure the consolidation and nothing else.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var summary = await client.GetAgentAsync(agent, cancellationToken).ConfigureAwait(false);
            if (summary is null || summary.PendingEmbeddings == 0)
            {
                break;
            }

            if (clock.Elapsed > options.DrainTimeout)
            {
                log.WriteLine(Invariant($"{Prefix}{summary.PendingEmbeddings} embeddings still pending after {options.DrainTimeout.TotalSeconds:F0} s; consolidating anyway"));
                break;
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        var next = 0;
        var idle = new Http.LatencyLog();
        for (var i = 0; i < 200; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await client.SearchAsync(agent, new SearchRequest { Query = queries[next++ % queries.Count] }, cancellationToken).ConfigureAwait(false);
            idle.Add(Stopwatch.GetTimestamp() - started);
        }

        // Searches on a fixed schedule (open loop: latency from the scheduled time, so a search held behind the
        // consolidation counts all of its wait), from the consolidation request until a second after it returned.
        log.WriteLine(Invariant($"{Prefix}consolidating {turns.Count:N0} turns while searching {SearchesPerSecond} times a second"));
        var during = new Http.LatencyLog();
        var searches = new List<Task>();
        var interval = Stopwatch.Frequency / SearchesPerSecond;
        var origin = Stopwatch.GetTimestamp();
        var consolidation = client.ConsolidateAsync(agent, cancellationToken);
        long? finishedAt = null;
        for (var i = 0L; ; i++)
        {
            var scheduled = origin + (i * interval);
            if (consolidation.IsCompleted)
            {
                finishedAt ??= Stopwatch.GetTimestamp();
                if (scheduled > finishedAt + Stopwatch.Frequency)
                {
                    break;
                }
            }

            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            var query = queries[next++ % queries.Count];
            searches.Add(SearchAsync(query, scheduled));
        }

        var report = await consolidation.ConfigureAwait(false);
        await Task.WhenAll(searches).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(origin, finishedAt ?? Stopwatch.GetTimestamp()).TotalSeconds;
        log.WriteLine(Invariant($"{Prefix}consolidated in {seconds:F2} s: {report.Episodes} episodes, {report.NotesAdded} notes added"));

        var busy = Http.LatencyLog.Summarize([during]);
        var quiet = Http.LatencyLog.Summarize([idle]);
        return new ConsolidationProbeResult(
            consolidationTexts, turns.Count, seconds, (int)busy.Count, busy.P50Ms, busy.P99Ms, busy.MaxMs, (int)quiet.Count, quiet.P50Ms, quiet.P99Ms);

        async Task SearchAsync(string query, long scheduled)
        {
            await client.SearchAsync(agent, new SearchRequest { Query = query }, cancellationToken).ConfigureAwait(false);
            var elapsed = Stopwatch.GetTimestamp() - scheduled;
            lock (during)
            {
                during.Add(elapsed);
            }
        }
    }

    private static TurnInput Turn(string speaker, string text, string session, DateTimeOffset when) =>
        new() { SessionId = session, Speaker = speaker, Text = text, Timestamp = when };

    private static void Count(bool hit, Fact fact, ref int found, List<string> misses, IReadOnlyList<SearchHit>? hits = null)
    {
        if (hit)
        {
            found++;
        }
        else if (misses.Count < 5)
        {
            var first = hits is { Count: > 0 } ? Invariant($" (first hit of {hits.Count}: \"{hits[0].Item.Text}\")") : hits is null ? string.Empty : " (no hits)";
            misses.Add(Invariant($"\"{fact.Statement}\" for \"{fact.Question}\"{first}"));
        }
    }

    private static void Progress(TextWriter log, string mode, int done, int total, int found)
    {
        if (done % 50 == 0 || done == total)
        {
            log.WriteLine(Invariant($"{Prefix}read-after-write, {mode}: {done}/{total} written, {found} found at once"));
        }
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.OrdinalIgnoreCase))
        {
            count++;
        }

        return count;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
