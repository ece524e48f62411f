using System.Text.Json.Serialization;

namespace MemoryFabric.Benchmarks.Index;

/// <summary>The result of <c>memfab bench index</c>: the JSON shape the issue asks for plus context fields.</summary>
public sealed record IndexBenchmarkReport
{
    /// <summary>The number of vectors.</summary>
    [JsonPropertyName("n")]
    public required int Count { get; init; }

    /// <summary>The dimensions.</summary>
    [JsonPropertyName("dim")]
    public required int Dimensions { get; init; }

    /// <summary>The dataset.</summary>
    [JsonPropertyName("dataset")]
    public required string Dataset { get; init; }

    /// <summary>The engines' results by name (memoryfabric, hnswlib, faiss, exact).</summary>
    [JsonPropertyName("engines")]
    public required IReadOnlyDictionary<string, EngineResult> Engines { get; init; }

    /// <summary>MemoryFabric over the other engines: qps, build rate, bytes per vector.</summary>
    [JsonPropertyName("ratios")]
    public required IReadOnlyDictionary<string, double?> Ratios { get; init; }

    /// <summary>The number of queries.</summary>
    [JsonPropertyName("queries")]
    public required int Queries { get; init; }

    /// <summary>k of recall@k.</summary>
    [JsonPropertyName("k")]
    public required int K { get; init; }

    /// <summary>HNSW's M (all engines).</summary>
    [JsonPropertyName("m")]
    public required int M { get; init; }

    /// <summary>efConstruction (all engines).</summary>
    [JsonPropertyName("ef_construction")]
    public required int EfConstruction { get; init; }

    /// <summary>The recall at which QPS is compared.</summary>
    [JsonPropertyName("target_recall")]
    public required double TargetRecall { get; init; }

    /// <summary>The data seed.</summary>
    [JsonPropertyName("seed")]
    public required int Seed { get; init; }

    /// <summary>Logical processors of the machine.</summary>
    [JsonPropertyName("processor_count")]
    public required int ProcessorCount { get; init; }

    /// <summary>Engines that could not run, with the reason.</summary>
    [JsonPropertyName("errors")]
    public required IReadOnlyDictionary<string, string> Errors { get; init; }

    /// <summary>Notes on how figures are computed.</summary>
    [JsonPropertyName("notes")]
    public required IReadOnlyList<string> Notes { get; init; }
}

/// <summary>One engine's figures. For <c>exact</c> only <see cref="Qps"/> (and recall 1) apply.</summary>
public sealed record EngineResult
{
    /// <summary>Threads used to build and to search.</summary>
    [JsonPropertyName("threads")]
    public int Threads { get; init; } = 1;

    /// <summary>Seconds to build (single thread).</summary>
    [JsonPropertyName("build_seconds")]
    public double? BuildSeconds { get; init; }

    /// <summary>Vectors inserted per second (single thread).</summary>
    [JsonPropertyName("build_vectors_per_second")]
    public double? BuildVectorsPerSecond { get; init; }

    /// <summary>RAM bytes per vector: the growth of the engine's own process's resident set (anonymous and file-backed
    /// pages) from just before the index is created to just after the build, divided by n (see
    /// <see cref="BytesPerVectorMethod"/>).</summary>
    [JsonPropertyName("bytes_per_vector")]
    public double? BytesPerVector { get; init; }

    /// <summary>How <see cref="BytesPerVector"/> was obtained.</summary>
    [JsonPropertyName("bytes_per_vector_method")]
    public string? BytesPerVectorMethod { get; init; }

    /// <summary>A second, independent figure of bytes per vector (the allocated capacity of the in-RAM structures for
    /// MemoryFabric, layout arithmetic for the references).</summary>
    [JsonPropertyName("bytes_per_vector_check")]
    public double? BytesPerVectorCheck { get; init; }

    /// <summary>The engine process's resident set just before the index was created (runtime, libraries and the loaded
    /// vectors: the baseline every growth is measured from).</summary>
    [JsonPropertyName("rss_baseline")]
    public ResidentMemory? ResidentBaseline { get; init; }

    /// <summary>Resident-set growth from the baseline to just after the build.</summary>
    [JsonPropertyName("rss_growth_after_build")]
    public ResidentMemory? ResidentGrowthAfterBuild { get; init; }

    /// <summary>Resident-set growth from the baseline to the end of the efSearch sweep and the timed passes.</summary>
    [JsonPropertyName("rss_growth_after_queries")]
    public ResidentMemory? ResidentGrowthAfterQueries { get; init; }

    /// <summary>Anonymous bytes per vector after the build (heaps: what only swap could take back).</summary>
    [JsonPropertyName("rss_anon_bytes_per_vector")]
    public double? AnonBytesPerVector { get; init; }

    /// <summary>File-backed bytes per vector after the build (pages of mapped files, e.g. MemoryFabric's memory-mapped
    /// float32 vectors: the kernel may drop clean ones under memory pressure and read them again).</summary>
    [JsonPropertyName("rss_file_bytes_per_vector")]
    public double? FileBytesPerVector { get; init; }

    /// <summary>The efSearch where recall@k first reached the target (or the best point when it never did).</summary>
    [JsonPropertyName("ef_search")]
    public int? EfSearch { get; init; }

    /// <summary>recall@k at <see cref="EfSearch"/> against exact search.</summary>
    [JsonPropertyName("recall_at_10")]
    public double? RecallAt10 { get; init; }

    /// <summary>Single-thread queries per second at <see cref="EfSearch"/> (best of the repeats).</summary>
    [JsonPropertyName("qps")]
    public double Qps { get; init; }

    /// <summary>The median latency of one query at <see cref="EfSearch"/> (one client, one query at a time), in ms,
    /// where the engine measures it.</summary>
    [JsonPropertyName("latency_p50_ms")]
    public double? LatencyP50Ms { get; init; }

    /// <summary>The 99th percentile latency of one query at <see cref="EfSearch"/>, in ms, where measured.</summary>
    [JsonPropertyName("latency_p99_ms")]
    public double? LatencyP99Ms { get; init; }

    /// <summary>Whether recall reached the target.</summary>
    [JsonPropertyName("reached_target")]
    public bool? ReachedTarget { get; init; }

    /// <summary>The efSearch sweep.</summary>
    [JsonPropertyName("sweep")]
    public IReadOnlyList<SweepPoint>? Sweep { get; init; }

    /// <summary>The library version (references).</summary>
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    /// <summary>Engine-specific extras (snapshot timings, mapped bytes, kernel...).</summary>
    [JsonPropertyName("details")]
    public IReadOnlyDictionary<string, object>? Details { get; init; }
}

/// <summary>One point of an efSearch sweep.</summary>
/// <param name="EfSearch">efSearch.</param>
/// <param name="RecallAt10">recall@k.</param>
/// <param name="Qps">Single-thread queries per second.</param>
public sealed record SweepPoint(
    [property: JsonPropertyName("ef_search")] int EfSearch,
    [property: JsonPropertyName("recall_at_10")] double RecallAt10,
    [property: JsonPropertyName("qps")] double Qps);
