namespace MemoryFabric.Benchmarks.Http;

/// <summary>Options of <see cref="HttpBenchmark"/> (<c>memfab bench http</c>).</summary>
public sealed class HttpBenchmarkOptions
{
    /// <summary>The LoCoMo file used for turn texts and queries when it exists (<see cref="BenchmarkDatasets.DefaultLocomoPath"/>).</summary>
    public static string DefaultLocomoPath => BenchmarkDatasets.DefaultLocomoPath;

    /// <summary>Agents written in the ingest phase and searched in the mixed phase. Default 100.</summary>
    public int Agents { get; set; } = 100;

    /// <summary>Turns ingested per agent in the ingest phase. Default 1,000.</summary>
    public int TurnsPerAgent { get; set; } = 1_000;

    /// <summary>Turns per ingest request in the ingest phase and the cold-activation set-up. Default 100.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Concurrent connections (and closed-loop workers). Default 32.</summary>
    public int Connections { get; set; } = 32;

    /// <summary>The measured length of the mixed phase, in seconds. Default 30.</summary>
    public double DurationSeconds { get; set; } = 30;

    /// <summary>Seconds of mixed load before the measurement starts (not counted). Default 3.</summary>
    public double WarmupSeconds { get; set; } = 3;

    /// <summary>The share of searches in the mixed phase (the rest are small ingests). Default 0.9.</summary>
    public double SearchShare { get; set; } = 0.9;

    /// <summary>The offered load of the mixed phase, in requests per second over all connections, sent on a fixed
    /// schedule whatever the responses (open loop; latency counts from the scheduled send time, so a stall is not
    /// hidden). 0 runs closed loop instead: each connection sends its next request when the last one returns, which
    /// measures the most the server can take. Default 1,000 (the target rate).</summary>
    public double RequestsPerSecond { get; set; } = 1_000;

    /// <summary>Turns per ingest request in the mixed phase. Default 10.</summary>
    public int MixedIngestBatch { get; set; } = 10;

    /// <summary>Hits asked per search. Default 10.</summary>
    public int SearchLimit { get; set; } = 10;

    /// <summary>Turns of the agent whose cold activation is timed; 0 skips the cold-activation phase. Default 10,000.</summary>
    public int ColdTurns { get; set; } = 10_000;

    /// <summary>Restarts (each one cold activation) in the cold-activation phase. Default 5.</summary>
    public int ColdRepeats { get; set; } = 5;

    /// <summary>How to start the fresh server process of each measured cold activation (the benchmark sets its data
    /// directory, address, admin key and embedder through <c>MemoryFabric__*</c> and <c>ASPNETCORE_URLS</c>);
    /// <see langword="null"/>: <c>dotnet MemoryFabric.Server.dll</c> beside this assembly. <c>memfab bench http</c>
    /// uses <c>memfab serve</c>.</summary>
    public ProcessCommand? ServerCommand { get; set; }

    /// <summary>Drop the page cache (<c>sync; echo 3 &gt; /proc/sys/vm/drop_caches</c>, root only) before each measured
    /// server start. Where it cannot, the report says that the page cache was warm. Default on.</summary>
    public bool DropPageCache { get; set; } = true;

    /// <summary>The in-process server's embedder: auto, minilm, hashing or openai. Default auto.</summary>
    public string Embedder { get; set; } = "auto";

    /// <summary>An already running server to load instead of starting one in-process (no cold-activation phase).</summary>
    public Uri? Url { get; set; }

    /// <summary>The tenant key for <see cref="Url"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The in-process server's data directory; a fresh temporary directory when <see langword="null"/>.
    /// A given directory is never deleted.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Keep the temporary data directory (in-process) or the benchmark's agents (<see cref="Url"/>).</summary>
    public bool KeepData { get; set; }

    /// <summary>The LoCoMo file whose turns and questions are the texts and queries; synthetic texts when the file
    /// does not exist.</summary>
    public string LocomoPath { get; set; } = DefaultLocomoPath;

    /// <summary>Use synthetic texts even when the LoCoMo file exists.</summary>
    public bool Synthetic { get; set; }

    /// <summary>The in-process server's <c>MemoryFabric:ConsolidateAfterTurns</c> (for <see cref="Url"/>: what the
    /// server is assumed to use); the server's default (1,000) when <see langword="null"/>.</summary>
    public int? ConsolidateAfterTurns { get; set; }

    /// <summary>The longest wait for dense indexing and consolidation to catch up after the ingest phase. Default 10 minutes.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The seed of the synthetic texts and of the workers' choices. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>How often progress lines are written during long phases. Default 5 seconds.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(5);
}
