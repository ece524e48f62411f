namespace MemoryFabric.Server;

/// <summary>The server's settings (configuration section <c>MemoryFabric</c>; environment variables
/// <c>MemoryFabric__DataDirectory</c> and so on).</summary>
public sealed class MemoryFabricServerOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "MemoryFabric";

    /// <summary>How the fabric's grains are hosted: <see cref="ServerMode.Embedded"/> (default: one Orleans silo in this
    /// process over SQLite, no external services) or <see cref="ServerMode.Cluster"/> (this process is a silo of a
    /// cluster, <c>MemoryFabric:Cluster:*</c>).</summary>
    public ServerMode Mode { get; set; } = ServerMode.Embedded;

    /// <summary>How the guard derives the claims of weak records for consensus: <c>rules</c> (default: the notes'
    /// own attribute values) or <c>chat</c> (also asks the OpenAI-compatible chat model of the
    /// <c>MEMORYFABRIC_OPENAI_*</c> settings for each weak candidate's claims).</summary>
    public string GuardClaims { get; set; } = "rules";

    /// <summary>Whether the guard also runs the checks that need no trust labels (hearsay, retrieval bait, repeated
    /// claims of new voices; <c>MemoryGuardOptions.Testimony</c>), as the engine does. Default <see langword="true"/>:
    /// their verdicts are kept up to date as turns arrive, at a cost proportional to what the new turns can change
    /// (see the README); <see langword="false"/> turns them off for every agent.</summary>
    public bool GuardTestimony { get; set; } = true;

    /// <summary>Whether the server runs a throwaway in-memory agent through the engine's paths (ingest, consolidation,
    /// snapshot and journal, restore, search, context) before it reports ready, so that the first request to each
    /// agent after a start does not pay for compiling them. Default <see langword="true"/>; it stores nothing.</summary>
    public bool EngineWarmup { get; set; } = true;

    /// <summary>Where the SQLite database and the generated admin key live. Default: <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Where the server listens unless <c>--urls</c> or <c>ASPNETCORE_URLS</c> says otherwise.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The admin key. When blank, <c>MEMORYFABRIC_ADMIN_KEY</c>, then <c>&lt;data&gt;/admin.key</c> (created
    /// on first start).</summary>
    public string? AdminKey { get; set; }

    /// <summary>The embedder: <c>auto</c> (snowflake-arctic-embed-xs, else MiniLM, else the hashed fallback, with a
    /// warning), <c>minilm</c>, <c>arctic-xs</c>, <c>hashing</c> or <c>openai</c>.</summary>
    public string Embedder { get; set; } = "auto";

    /// <summary>How long a search or context may wait for the encoder to start on its query; past it the answer is
    /// ranked on lexical signals and flagged <c>degraded</c> (<c>RetrievalOptions.QueryEmbeddingDeadline</c>). Only
    /// the local encoder queues (<see cref="EmbeddingScheduler"/>); 0 (or <c>-00:00:00.001</c>, infinite) turns it
    /// off: queries then wait their turn, and a full queue answers 503. Default: 5 ms.</summary>
    public TimeSpan QueryEmbeddingDeadline { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The query-first scheduler in front of the local (MiniLM or arctic-xs) encoder (<c>MemoryFabric:EmbeddingScheduler:*</c>):
    /// worker threads, background chunk size, micro-batch size, interactive queue limit (beyond: 503 with
    /// <c>Retry-After</c>).</summary>
    public Embeddings.PriorityEmbeddingGeneratorOptions EmbeddingScheduler { get; set; } = new();

    /// <summary>The fewest worker threads the process's thread pool keeps (<see cref="ThreadPool.SetMinThreads"/>; a
    /// higher minimum already set is kept). Below the minimum a queued work item gets a thread at once; above it the
    /// pool adds threads slowly (about two a second), and requests wait behind grain turns, encoder callbacks and
    /// storage completions meanwhile. Default <see langword="null"/>: 16 per core (32 on two cores; what it changed
    /// under load is in the README, "Search under load"); 0 leaves the runtime's default (one per core).</summary>
    public int? MinWorkerThreads { get; set; }

    /// <summary>The largest request body, in bytes (413 beyond). Default: 16 MiB.</summary>
    public long MaxRequestBodySize { get; set; } = 16 * 1024 * 1024;

    /// <summary>The most turns per ingest request (400 beyond). Default: 1,000.</summary>
    public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>The longest turn text, in characters (400 beyond). Default: 32,000.</summary>
    public int MaxTurnTextLength { get; set; } = 32_000;

    /// <summary>The most writes waiting to be committed to SQLite (embedded); beyond, a write is refused at once with
    /// 503 and Retry-After, storing nothing, instead of queueing without bound. Default: 16,384.</summary>
    public int MaxQueuedWrites { get; set; } = 16_384;

    /// <summary>How long a stop (SIGTERM, Ctrl+C) may take: requests in flight finish, then the agents fold their
    /// journals into snapshots; what is not done by then is left to the journal (every acknowledged write is already
    /// durable) and the process exits. Keep it below the orchestrator's grace period (the chart's
    /// <c>terminationGracePeriodSeconds</c> less its <c>preStop</c> delay). Default: 8 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How long an idempotent request (a read, a search, an ingest whose turns all carry ids) keeps trying an
    /// agent whose silo is unreachable (in a cluster, while a crashed silo is declared dead and the agent placed
    /// again) before it answers 503 with Retry-After. 0 turns the retries off. Default: 5 s.</summary>
    public TimeSpan CallRetryBudget { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Requests per second each tenant may sustain (0 for no limit). Default: 5,000.</summary>
    public int RateLimitPerSecond { get; set; } = 5_000;

    /// <summary>The burst above the sustained rate a tenant may use. Default: 10,000.</summary>
    public int RateLimitBurst { get; set; } = 10_000;

    /// <summary>Requests per second one client address (an IPv4 address or an IPv6 /64) may sustain, counted before
    /// authentication, on <c>/v1</c> routes, among the requests this server cannot authenticate from memory: no key,
    /// an unknown or revoked key, or a tenant key it has not cached yet (each a look-up in the tenant directory every
    /// tenant shares). Requests with the admin key or a cached tenant key do not count. Beyond: 429 with Retry-After.
    /// 0 for no limit. Default: 20.</summary>
    public int AddressRateLimitPerSecond { get; set; } = 20;

    /// <summary>The requests of <see cref="AddressRateLimitPerSecond"/> one address may make at once. Default: 100.</summary>
    public int AddressRateLimitBurst { get; set; } = 100;

    /// <summary>The most unknown key hashes remembered (the oldest is evicted beyond), so that a repeated bad key is
    /// not looked up in the tenant directory on every request; 0 remembers none. Default: 10,000.</summary>
    public int UnknownKeyCacheCapacity { get; set; } = 10_000;

    /// <summary>How long an unknown key hash is remembered. Default: 10 seconds.</summary>
    public TimeSpan UnknownKeyCacheLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each server asks the tenant directory which keys were revoked (through any server of a
    /// cluster) and drops them from its key cache; a server whose check has not succeeded for four intervals (at least
    /// a second) looks cached keys up again. Default: 250 ms.</summary>
    public TimeSpan RevocationCheckInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The share of the machine's (or container's) memory above which Orleans deactivates the least recently
    /// used grains (<c>GrainCollectionOptions.MemoryUsageLimitPercentage</c>, shedding down to 10 points below it); 0
    /// turns shedding off. Default: 80.</summary>
    public int MemoryUsageLimitPercentage { get; set; } = 80;

    /// <summary>How long an agent stays in memory without calls (Orleans' collection age of the fabric's grains).
    /// Default: 15 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The period of each agent's consolidation reminder. Default: one hour.</summary>
    public TimeSpan ConsolidationPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Consolidate an agent after this many new turns. Default: 1,000.</summary>
    public int ConsolidateAfterTurns { get; set; } = 1_000;

    /// <summary>Consolidate a session once it has received no turn for this long (its open episode becomes notes);
    /// 0 turns it off. Default: 60 seconds.</summary>
    public TimeSpan SessionIdleConsolidation { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Keep state in memory only (nothing written to disk; for tests and demos). Default: false.</summary>
    public bool InMemory { get; set; }

    /// <summary>The MCP endpoint (<c>/mcp</c>): on or off, sessions, allowed hosts, default agents
    /// (<c>MemoryFabric:Mcp:*</c>).</summary>
    public Mcp.McpEndpointOptions Mcp { get; set; } = new();

    /// <summary>Trace requests through the layers with OpenTelemetry (HTTP, grain call, engine, storage, encoder;
    /// exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set). Read when the server is built.
    /// Default: true.</summary>
    public bool Tracing { get; set; } = true;
}
