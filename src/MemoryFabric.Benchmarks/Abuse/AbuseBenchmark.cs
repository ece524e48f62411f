using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MemoryFabric.Benchmarks.Http;
using MemoryFabric.Client;
using MemoryFabric.Conversation;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Benchmarks.Abuse;

/// <summary>
/// <c>memfab bench abuse</c>: the real server (Kestrel, SQLite, default limits) in this process on a loopback port; a
/// good tenant searches its agent on a fixed schedule, first alone, then while flood clients send searches with
/// unknown <c>mfk_</c> keys as fast as the server answers, from another loopback address (127.0.0.2 by default, so
/// that the server sees another client, as it would see an attacker). Reports both phases' latency percentiles and
/// what the flood's requests got (401, 429).
/// </summary>
public static class AbuseBenchmark
{
    private const string Tenant = "abuse-good";
    private const string Agent = "good";

    private static readonly string[] Queries =
    [
        "where did Alice move last spring", "climbing near the river", "when is Maria visiting", "learning the cello",
        "the grey cat from the shelter", "custard tarts bakery", "trip to Japan in October", "shipping the new app",
    ];

    private static readonly string[] Sentences =
    [
        "I moved to Lisbon last spring and I love the light there.",
        "Did you find a good place to climb near the river?",
        "My sister Maria is visiting in June with her two kids.",
        "I started learning the cello in January, it is harder than guitar.",
        "We adopted a grey cat called Pixel from the shelter.",
        "The bakery on our street makes the best custard tarts.",
        "I'm planning a trip to Japan in October to see the temples.",
        "Work has been busy, we ship the new app next week.",
    ];

    /// <summary>Runs the benchmark.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The figures.</returns>
    public static async Task<AbuseBenchmarkReport> RunAsync(AbuseBenchmarkOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var load = LoadAverage();
        var data = Path.Combine(Path.GetTempPath(), "memfab-bench-abuse-" + Guid.NewGuid().ToString("N")[..8]);
        var adminKey = "bench-admin-" + Guid.NewGuid().ToString("N");
        await using var server = await InProcessServer.StartAsync(data, options.Embedder, adminKey, options.ServerSettings, TextWriter.Null, cancellationToken).ConfigureAwait(false);
        try
        {
            var address = server.Address;
            await log.WriteLineAsync($"memfab bench abuse: server at {address}").ConfigureAwait(false);
            using var goodHttp = CreateHttpClient(64, null);
            string key;
            using (var adminHttp = CreateHttpClient(1, null))
            {
                var admin = new MemoryFabricAdminClient(adminHttp, new MemoryFabricClientOptions { Endpoint = address, ApiKey = adminKey, MaxRetries = 0 });
                await admin.CreateTenantAsync(Tenant, "memfab bench abuse", cancellationToken).ConfigureAwait(false);
                key = (await admin.CreateApiKeyAsync(Tenant, "bench", cancellationToken).ConfigureAwait(false)).Key;
            }

            var client = new MemoryFabricClient(goodHttp, new MemoryFabricClientOptions { Endpoint = address, ApiKey = key, MaxRetries = 0, Timeout = TimeSpan.FromSeconds(30) });
            var start = new DateTimeOffset(2024, 5, 1, 9, 0, 0, TimeSpan.Zero);
            var turns = Enumerable.Range(0, options.Turns).Select(i => new TurnInput
            {
                Id = "t" + i.ToString(CultureInfo.InvariantCulture),
                SessionId = "s" + (i / 50).ToString(CultureInfo.InvariantCulture),
                Speaker = i % 2 == 0 ? "Alice" : "Bob",
                Text = Sentences[i % Sentences.Length] + $" (#{i})",
                Timestamp = start.AddMinutes(i),
            }).ToList();
            await client.IngestAsync(Agent, turns, cancellationToken).ConfigureAwait(false);
            await log.WriteLineAsync($"memfab bench abuse: {options.Turns} turns ingested; warming up {options.WarmupSeconds:0.#} s").ConfigureAwait(false);

            var random = new Random(options.Seed);
            await SearchPhaseAsync(client, options.SearchesPerSecond, options.WarmupSeconds, random, cancellationToken).ConfigureAwait(false);
            await log.WriteLineAsync($"memfab bench abuse: searching alone for {options.DurationSeconds:0.#} s").ConfigureAwait(false);
            var alone = await SearchPhaseAsync(client, options.SearchesPerSecond, options.DurationSeconds, random, cancellationToken).ConfigureAwait(false);

            await log.WriteLineAsync($"memfab bench abuse: searching for {options.DurationSeconds:0.#} s while {options.FloodClients} clients send unknown keys").ConfigureAwait(false);
            using var floodHttp = CreateHttpClient(options.FloodClients, options.FloodSourceAddress is { } source ? IPAddress.Parse(source) : null);
            using var stopFlood = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var counters = new FloodCounters();
            var floodClock = Stopwatch.StartNew();
            var flood = Enumerable.Range(0, options.FloodClients)
                .Select(i => Task.Run(() => FloodAsync(floodHttp, address, options.DistinctKeys, options.FloodRequestsPerSecond / options.FloodClients, options.Seed + 1 + i, counters, stopFlood.Token), CancellationToken.None))
                .ToArray();
            AbuseSearchPhase underFlood;
            try
            {
                underFlood = await SearchPhaseAsync(client, options.SearchesPerSecond, options.DurationSeconds, random, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await stopFlood.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(flood).ConfigureAwait(false);
                floodClock.Stop();
            }

            return new AbuseBenchmarkReport
            {
                FloodClients = options.FloodClients,
                FloodRequestsPerSecond = options.FloodRequestsPerSecond,
                DistinctKeys = options.DistinctKeys,
                FloodSourceAddress = options.FloodSourceAddress,
                SearchesPerSecond = options.SearchesPerSecond,
                Processors = Environment.ProcessorCount,
                LoadAverageAtStart = load,
                Alone = alone,
                UnderFlood = underFlood,
                Flood = new AbuseFloodResult
                {
                    Requests = counters.Requests,
                    Seconds = Math.Round(floodClock.Elapsed.TotalSeconds, 2),
                    Unauthorized = counters.Unauthorized,
                    TooManyRequests = counters.TooManyRequests,
                    Other = counters.Other,
                },
            };
        }
        finally
        {
            await server.DisposeAsync().ConfigureAwait(false);
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    // Open loop: search i is due at start + i / rate; its latency runs from that time, so a stall counts for every
    // search it delays (no coordinated omission).
    private static async Task<AbuseSearchPhase> SearchPhaseAsync(MemoryFabricClient client, double rate, double seconds, Random random, CancellationToken cancellationToken)
    {
        var total = (int)Math.Max(1, Math.Round(rate * seconds));
        var interval = Stopwatch.Frequency / rate;
        var latencies = new long[total];
        var failed = new bool[total];
        var running = new List<Task>(total);
        var begin = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = begin + (long)(i * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            var index = i;
            var query = Queries[random.Next(Queries.Length)];
            running.Add(Task.Run(async () =>
            {
                try
                {
                    await client.SearchAsync(Agent, new SearchRequest { Query = query, Limit = 5 }, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is MemoryFabricApiException or HttpRequestException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    failed[index] = true;
                }

                latencies[index] = Stopwatch.GetTimestamp() - due;
            }, CancellationToken.None));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        var ok = latencies.Where((_, i) => !failed[i]).Order().ToArray();
        return new AbuseSearchPhase
        {
            Requests = total,
            Failed = failed.Count(f => f),
            P50Ms = Milliseconds(Percentile(ok, 0.50)),
            P99Ms = Milliseconds(Percentile(ok, 0.99)),
            MaxMs = ok.Length > 0 ? Milliseconds(ok[^1]) : 0,
        };
    }

    private static async Task FloodAsync(HttpClient http, Uri address, bool distinctKeys, double perSecond, int seed, FloodCounters counters, CancellationToken cancellationToken)
    {
        var uri = new Uri(address, $"v1/agents/{Agent}/search");
        var body = Encoding.UTF8.GetBytes("{\"query\":\"where did Alice move\",\"limit\":5}");
        var fixedKey = RandomKey(seed);
        var begin = Stopwatch.GetTimestamp();
        for (long sent = 0; !cancellationToken.IsCancellationRequested; sent++)
        {
            if (perSecond > 0)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), begin + (long)(sent * Stopwatch.Frequency / perSecond));
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", distinctKeys ? RandomKey(null) : fixedKey);
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                counters.Count(response.StatusCode);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
                counters.Count(null);
            }
        }
    }

    private static string RandomKey(int? seed)
    {
        var bytes = new byte[32];
        if (seed is { } s)
        {
            new Random(s).NextBytes(bytes);
        }
        else
        {
            RandomNumberGenerator.Fill(bytes);
        }

        return "mfk_" + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static long Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length), 1, sorted.Length) - 1];

    private static double Milliseconds(long ticks) => Math.Round(ticks * 1000.0 / Stopwatch.Frequency, 2);

    private static double? LoadAverage()
    {
        try
        {
            var text = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg") : null;
            return text is null ? null : double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // One connection per worker; the flood's connections are bound to their source address, so that the server sees
    // them as another client.
    private static HttpClient CreateHttpClient(int connections, IPAddress? source)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (source is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(60) };
    }

    private sealed class FloodCounters
    {
        private long _requests;
        private long _unauthorized;
        private long _tooMany;
        private long _other;

        public long Requests => Interlocked.Read(ref _requests);

        public long Unauthorized => Interlocked.Read(ref _unauthorized);

        public long TooManyRequests => Interlocked.Read(ref _tooMany);

        public long Other => Interlocked.Read(ref _other);

        public void Count(HttpStatusCode? status)
        {
            Interlocked.Increment(ref _requests);
            switch (status)
            {
                case HttpStatusCode.Unauthorized:
                    Interlocked.Increment(ref _unauthorized);
                    break;
                case HttpStatusCode.TooManyRequests:
                    Interlocked.Increment(ref _tooMany);
                    break;
                default:
                    Interlocked.Increment(ref _other);
                    break;
            }
        }
    }
}
