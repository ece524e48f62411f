using MemoryFabric.VectorIndex;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Benchmarks.Index;

/// <summary>
/// <c>memfab bench index</c>: builds MemoryFabric's HNSW shard, hnswlib and FAISS HNSW on the same vectors with the same
/// M and efConstruction (one thread each), sweeps efSearch, and reports build rate, RAM bytes per vector, recall@k
/// against exact search and single-thread queries per second at the first efSearch reaching the target recall, with
/// exact brute force (TensorPrimitives) as the baseline.
/// </summary>
public static class IndexBenchmark
{
    /// <summary>Runs the benchmark.</summary>
    /// <param name="options">The options.</param>
    /// <param name="embedderFactory">Creates the sentence encoder for <c>locomo</c> (null: the MiniLM encoder of
    /// MemoryFabric.Embeddings, see <see cref="CreateMiniLmEmbedder"/>).</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>The report.</returns>
    public static async Task<IndexBenchmarkReport> RunAsync(
        IndexBenchmarkOptions options,
        Func<IEmbeddingGenerator<string, Embedding<float>>>? embedderFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var progress = options.Progress;
        var set = await LoadSetAsync(options, embedderFactory, cancellationToken).ConfigureAwait(false);
        progress?.WriteLine($"memfab bench index: {set.Name}: {set.Description}");

        var ownsDirectory = options.WorkDirectory is null;
        var workDirectory = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), $"memfab-bench-index-{Guid.NewGuid():N}");
        Directory.CreateDirectory(workDirectory);
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var truth = ExactSearch.GroundTruth(set, options.K, cancellationToken);
            progress?.WriteLine($"memfab bench index: exact top-{options.K} of {set.QueryCount} queries in {watch.Elapsed.TotalSeconds:F1} s (all cores)");

            var engines = new Dictionary<string, EngineResult>();
            var errors = new Dictionary<string, string>();
            var references = options.Engines.Where(e => e is IndexEngines.Hnswlib or IndexEngines.Faiss).ToList();
            var basePath = Path.Combine(workDirectory, "base.npy");
            var queriesPath = Path.Combine(workDirectory, "queries.npy");
            var truthPath = Path.Combine(workDirectory, "gt.npy");
            var ours = options.Engines.Where(e => e is IndexEngines.MemoryFabricShards or IndexEngines.MemoryFabric).ToList();
            if (references.Count > 0 || ours.Count > 0)
            {
                NpyFile.WriteFloat32(basePath, set.Base, set.Count, set.Dimensions);
                NpyFile.WriteFloat32(queriesPath, set.Queries, set.QueryCount, set.Dimensions);
                NpyFile.WriteInt32(truthPath, truth, options.K);
            }

            foreach (var engine in ours)
            {
                var (result, error) = await RunOursAsync(options, engine, basePath, queriesPath, truthPath, workDirectory, cancellationToken).ConfigureAwait(false);
                if (result is not null)
                {
                    engines[engine] = result;
                }
                else
                {
                    errors[engine] = error!;
                }

                GC.Collect();
            }

            if (options.Engines.Contains(IndexEngines.Exact))
            {
                var qps = ExactSearch.MeasureQps(set, options.K, 3, cancellationToken);
                progress?.WriteLine($"exact: {qps:F0} q/s (TensorPrimitives.Dot over every vector, one thread)");
                engines[IndexEngines.Exact] = new EngineResult { Threads = 1, Qps = qps, RecallAt10 = 1, Version = "TensorPrimitives" };
            }

            if (references.Count > 0)
            {
                var outcome = await AnnReference.RunAsync(options, references, basePath, queriesPath, truthPath, workDirectory, cancellationToken).ConfigureAwait(false);
                foreach (var (name, result) in outcome.Engines)
                {
                    engines[name] = result;
                }

                foreach (var (name, error) in outcome.Errors)
                {
                    errors[name] = error;
                }
            }

            return new IndexBenchmarkReport
            {
                Count = set.Count,
                Dimensions = set.Dimensions,
                Dataset = set.Name,
                Engines = Order(engines),
                Ratios = Ratios(engines),
                Queries = set.QueryCount,
                K = options.K,
                M = options.M,
                EfConstruction = options.EfConstruction,
                TargetRecall = options.TargetRecall,
                Seed = options.Seed,
                ProcessorCount = Environment.ProcessorCount,
                Errors = errors,
                Notes = Notes(set, options),
            };
        }
        finally
        {
            if (ownsDirectory)
            {
                TryDelete(workDirectory);
            }
        }
    }

    // One of MemoryFabric's engines in a fresh process of its own (like each reference), or here without a worker command.
    private static async Task<(EngineResult? Result, string? Error)> RunOursAsync(
        IndexBenchmarkOptions options, string engine, string basePath, string queriesPath, string truthPath, string workDirectory, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(workDirectory, engine);
        Directory.CreateDirectory(directory);
        if (options.WorkerCommand is not { } worker)
        {
            var here = IndexWorker.ParseArguments(IndexWorker.Arguments(options, basePath, queriesPath, truthPath, directory, engine)).Options;
            here.Progress = options.Progress;
            return (IndexWorker.Run(here, basePath, queriesPath, truthPath, directory, cancellationToken), null);
        }

        var command = worker.With(IndexWorker.Arguments(options, basePath, queriesPath, truthPath, directory, engine));
        ExternalProcess.Result outcome;
        try
        {
            outcome = await ExternalProcess.RunAsync(command.Program, command.Arguments, null, null, options.Progress, errorTailLines: 5, cancellationToken).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, $"cannot start the index worker {command.Program}: {e.Message}");
        }

        if (outcome.ExitCode != 0)
        {
            return (null, $"the index worker exited with code {outcome.ExitCode}: {outcome.ErrorTail}");
        }

        try
        {
            return (IndexWorker.ParseResult(outcome.Output), null);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
        {
            return (null, $"the index worker printed no result: {e.Message}");
        }
    }

    /// <summary>Creates MemoryFabric's MiniLM encoder with default options (the model in its default directory).</summary>
    /// <returns>The encoder.</returns>
    /// <exception cref="MemoryFabric.Embeddings.ModelFileException">The model files are missing or unusable.</exception>
    public static IEmbeddingGenerator<string, Embedding<float>> CreateMiniLmEmbedder() =>
        new MemoryFabric.Embeddings.MiniLmEmbeddingGenerator(new MemoryFabric.Embeddings.MiniLmEmbeddingGeneratorOptions());

    private static async Task<VectorSet> LoadSetAsync(
        IndexBenchmarkOptions options, Func<IEmbeddingGenerator<string, Embedding<float>>>? embedderFactory, CancellationToken cancellationToken)
    {
        switch (options.Dataset)
        {
            case IndexDatasets.Clustered:
                return IndexDatasets.GenerateClustered(options.Count, options.Queries, options.Dimensions, options.Centres, options.Seed);
            case IndexDatasets.Random:
                return IndexDatasets.GenerateRandom(options.Count, options.Queries, options.Dimensions, options.Seed);
            case IndexDatasets.Locomo:
                if (embedderFactory is null)
                {
                    // Returns at once when the model is in place; fetches it otherwise.
                    await MemoryFabric.Embeddings.MiniLmModel.EnsureAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                var embedder = (embedderFactory ?? CreateMiniLmEmbedder)();
                try
                {
                    return await IndexDatasets.EmbedLocomoAsync(options.LocomoPath, embedder, options.Count, options.Queries, options.Progress, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    embedder.Dispose();
                }

            default:
                throw new ArgumentException($"Unknown dataset \"{options.Dataset}\" (known: {string.Join(", ", IndexDatasets.All)}).", nameof(options));
        }
    }

    private static Dictionary<string, EngineResult> Order(Dictionary<string, EngineResult> engines)
    {
        var ordered = new Dictionary<string, EngineResult>();
        foreach (var name in IndexBenchmarkOptions.AllEngines)
        {
            if (engines.TryGetValue(name, out var result))
            {
                ordered[name] = result;
            }
        }

        return ordered;
    }

    private static Dictionary<string, double?> Ratios(Dictionary<string, EngineResult> engines)
    {
        var ratios = new Dictionary<string, double?>();
        if (engines.TryGetValue(IndexEngines.MemoryFabricShards, out var sharded))
        {
            foreach (var other in new[] { IndexEngines.MemoryFabric, IndexEngines.Hnswlib })
            {
                if (engines.TryGetValue(other, out var theirs))
                {
                    ratios[$"shards_build_rate_vs_{other}"] = Divide(sharded.BuildVectorsPerSecond, theirs.BuildVectorsPerSecond);
                    ratios[$"shards_bytes_per_vector_vs_{other}"] = Divide(sharded.BytesPerVector, theirs.BytesPerVector);
                }
            }
        }

        if (!engines.TryGetValue(IndexEngines.MemoryFabric, out var ours))
        {
            return ratios;
        }

        foreach (var other in new[] { IndexEngines.Hnswlib, IndexEngines.Faiss })
        {
            if (engines.TryGetValue(other, out var theirs))
            {
                ratios[$"qps_vs_{other}"] = Divide(ours.Qps, theirs.Qps);
                ratios[$"build_rate_vs_{other}"] = Divide(ours.BuildVectorsPerSecond, theirs.BuildVectorsPerSecond);
                ratios[$"bytes_per_vector_vs_{other}"] = Divide(ours.BytesPerVector, theirs.BytesPerVector);
            }
        }

        if (engines.TryGetValue(IndexEngines.Exact, out var exact))
        {
            ratios["qps_vs_exact"] = Divide(ours.Qps, exact.Qps);
        }

        return ratios;
    }

    private static double? Divide(double? a, double? b) => a is { } x && b is { } y && y > 0 ? x / y : null;

    private static List<string> Notes(VectorSet set, IndexBenchmarkOptions options) =>
    [
        $"dataset: {set.Description}",
        $"threads: memoryfabric builds on one thread (its single writer); hnswlib and FAISS on {options.ReferenceBuildThreads} (num_threads, omp_set_num_threads); "
            + $"memoryfabric-shards ingests into {options.Shards} shard grains at once (every core); every engine queries on one thread (one client), "
            + "ground truth is computed on all cores",
        "memoryfabric-shards: an in-process Orleans silo with the fabric's grains and SQLite store; every upsert batch is journaled before it is "
            + "acknowledged; a query fans out to every shard grain and merges the top k (the code of tenant-wide search); p50/p99 are per-query latencies",
        $"recall@{options.K}: share of the exact top-{options.K} (inner product, TensorPrimitives) found, over all queries",
        $"qps: the efSearch sweep stops at the first value with recall@{options.K} >= {options.TargetRecall}; qps there is the best of {options.Repeat} passes "
            + "over all queries (MemoryFabric: one Search call per query; hnswlib and FAISS: one batched call per pass on one thread)",
        "bytes_per_vector: measured the same way for every engine: each engine builds in a fresh process of its own (MemoryFabric: "
            + "memfab bench index-worker; hnswlib, FAISS: one python3 each) that loads the same .npy files, imports or warms up its library, "
            + "then reads /proc/self/status before creating the index and after the build; the VmRSS growth / n is bytes_per_vector, "
            + "split into anonymous (rss_anon_bytes_per_vector: heaps) and file-backed pages (rss_file_bytes_per_vector: mapped files such as "
            + "MemoryFabric's float32 re-ranking vectors, which the kernel can drop and read again); rss_growth_after_queries is the growth at the "
            + "end of the query phase; .NET figures are read after a full blocking, compacting GC that returns freed memory to the OS (GCCollectionMode.Aggressive); bytes_per_vector_check is the allocated capacity of "
            + "MemoryFabric's in-RAM structures and the layout arithmetic of hnswlib and FAISS",
    ];

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort.
        }
    }
}
