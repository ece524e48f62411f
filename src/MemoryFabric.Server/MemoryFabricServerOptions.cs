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

    /// <summary>Where the SQLite database and the generated admin key live. Default: <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Where the server listens unless <c>--urls</c> or <c>ASPNETCORE_URLS</c> says otherwise.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The admin key. When blank, <c>MEMORYFABRIC_ADMIN_KEY</c>, then <c>&lt;data&gt;/admin.key</c> (created
    /// on first start).</summary>
    public string? AdminKey { get; set; }

    /// <summary>The embedder: <c>auto</c> (MiniLM, or the hashed fallback with a warning), <c>minilm</c>,
    /// <c>hashing</c> or <c>openai</c>.</summary>
    public string Embedder { get; set; } = "auto";

    /// <summary>The largest request body, in bytes (413 beyond). Default: 16 MiB.</summary>
    public long MaxRequestBodySize { get; set; } = 16 * 1024 * 1024;

    /// <summary>The most turns per ingest request (400 beyond). Default: 1,000.</summary>
    public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>The longest turn text, in characters (400 beyond). Default: 32,000.</summary>
    public int MaxTurnTextLength { get; set; } = 32_000;

    /// <summary>The most writes waiting to be committed to SQLite (embedded); beyond, a write is refused at once with
    /// 503 and Retry-After, storing nothing, instead of queueing without bound. Default: 16,384.</summary>
    public int MaxQueuedWrites { get; set; } = 16_384;

    /// <summary>Requests per second each tenant may sustain (0 for no limit). Default: 5,000.</summary>
    public int RateLimitPerSecond { get; set; } = 5_000;

    /// <summary>The burst above the sustained rate a tenant may use. Default: 10,000.</summary>
    public int RateLimitBurst { get; set; } = 10_000;

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

    /// <summary>Keep state in memory only (nothing written to disk; for tests and demos). Default: false.</summary>
    public bool InMemory { get; set; }
}
