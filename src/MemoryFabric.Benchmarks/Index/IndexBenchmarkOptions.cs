namespace MemoryFabric.Benchmarks.Index;

/// <summary>Options of <see cref="IndexBenchmark"/> (<c>memfab bench index</c>).</summary>
public sealed class IndexBenchmarkOptions
{
    /// <summary>The efSearch values swept by default.</summary>
    public static IReadOnlyList<int> DefaultEfValues { get; } = [10, 16, 20, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 800];

    /// <summary>The engines run by default.</summary>
    public static IReadOnlyList<string> AllEngines { get; } = [IndexEngines.MemoryFabricShards, IndexEngines.MemoryFabric, IndexEngines.Hnswlib, IndexEngines.Faiss, IndexEngines.Exact];

    /// <summary>The engines <c>memfab bench index</c> runs unless told otherwise.</summary>
    public static IReadOnlyList<string> DefaultEngines { get; } = [IndexEngines.MemoryFabric, IndexEngines.Hnswlib, IndexEngines.Faiss, IndexEngines.Exact];

    /// <summary>The number of vectors (for <c>locomo</c>: at most this many turns). Default 100,000.</summary>
    public int Count { get; set; } = 100_000;

    /// <summary>The dimensions of the synthetic sets (<c>locomo</c> takes the encoder's). Default 384.</summary>
    public int Dimensions { get; set; } = 384;

    /// <summary>The dataset: <c>clustered</c>, <c>random</c> or <c>locomo</c>.</summary>
    public string Dataset { get; set; } = IndexDatasets.Clustered;

    /// <summary>The number of queries. Default 1,000.</summary>
    public int Queries { get; set; } = 1000;

    /// <summary>The number of clusters of the clustered set. Default 2,000.</summary>
    public int Centres { get; set; } = 2000;

    /// <summary>HNSW's M for every engine. Default 16.</summary>
    public int M { get; set; } = 16;

    /// <summary>efConstruction for every engine. Default 200.</summary>
    public int EfConstruction { get; set; } = 200;

    /// <summary>The k of recall@k. Default 10.</summary>
    public int K { get; set; } = 10;

    /// <summary>The recall at which queries per second are compared. Default 0.95.</summary>
    public double TargetRecall { get; set; } = 0.95;

    /// <summary>The efSearch values to sweep, ascending; the sweep of an engine stops at the first that reaches
    /// <see cref="TargetRecall"/>.</summary>
    public IReadOnlyList<int> EfValues { get; set; } = DefaultEfValues;

    /// <summary>How many times the queries per second at the chosen efSearch are measured (the best counts). Default 3.</summary>
    public int Repeat { get; set; } = 3;

    /// <summary>The seed of the synthetic data. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>The engines to run (see <see cref="IndexEngines"/>).</summary>
    public IReadOnlyList<string> Engines { get; set; } = DefaultEngines;

    /// <summary>The number of shard grains of <see cref="IndexEngines.MemoryFabricShards"/>. Default 8.</summary>
    public int Shards { get; set; } = 8;

    /// <summary>Vectors per upsert call of <see cref="IndexEngines.MemoryFabricShards"/>. Default 512.</summary>
    public int ShardBatch { get; set; } = 512;

    /// <summary>Threads hnswlib and FAISS build with (queries always run on one). Default 1.</summary>
    public int ReferenceBuildThreads { get; set; } = 1;

    /// <summary>Where MemoryFabric keeps the float32 re-ranking vectors. Default memory-mapped.</summary>
    public MemoryFabric.VectorIndex.VectorStorage Storage { get; set; } = MemoryFabric.VectorIndex.VectorStorage.MappedFile;

    /// <summary>The Python with numpy, hnswlib and FAISS; <see langword="null"/> (default): the first <c>python3</c> on
    /// PATH that can import them (Debian's python3-hnswlib and python3-faiss load only in the system Python, which may
    /// come after a pyenv or virtual-environment <c>python3</c> on PATH).</summary>
    public string? Python { get; set; }

    /// <summary>How to start the worker process that builds MemoryFabric's index (<c>memfab bench index-worker</c>);
    /// the benchmark appends <see cref="IndexWorker.Arguments"/>. <see langword="null"/>: MemoryFabric's engine runs in
    /// this process, where its resident-set growth also contains whatever else this process does (not comparable with
    /// the references, which always run in processes of their own).</summary>
    public ProcessCommand? WorkerCommand { get; set; }

    /// <summary>The directory for the vector files, the memory-mapped vectors and the snapshot; a new temporary
    /// directory (deleted afterwards) when <see langword="null"/>.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>The LoCoMo file for <c>--dataset locomo</c>.</summary>
    public string LocomoPath { get; set; } = BenchmarkDatasets.DefaultLocomoPath;

    /// <summary>Where progress goes (every few seconds during builds); none when <see langword="null"/>.</summary>
    public TextWriter? Progress { get; set; }
}

/// <summary>Engine names.</summary>
public static class IndexEngines
{
    /// <summary>Ours: one <c>VectorShard</c>, one writer thread.</summary>
    public const string MemoryFabric = "memoryfabric";

    /// <summary>Ours: a tenant's vector-shard grains in an in-process silo (what tenant-wide search runs on).</summary>
    public const string MemoryFabricShards = "memoryfabric-shards";

    /// <summary>hnswlib (Python binding).</summary>
    public const string Hnswlib = "hnswlib";

    /// <summary>FAISS IndexHNSWFlat (Python binding).</summary>
    public const string Faiss = "faiss";

    /// <summary>Exact brute force with TensorPrimitives.</summary>
    public const string Exact = "exact";
}
