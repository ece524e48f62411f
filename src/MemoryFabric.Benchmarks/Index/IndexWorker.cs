using System.Globalization;
using System.Text.Json;
using MemoryFabric.VectorIndex;

namespace MemoryFabric.Benchmarks.Index;

/// <summary>
/// The child-process side of <c>memfab bench index</c> and <c>memfab bench shards</c> for MemoryFabric's engines
/// (<c>memfab bench index-worker</c>; <c>--engine memoryfabric-shards</c> runs <see cref="TenantShardsEngine"/> instead):
/// loads the <c>.npy</c> files the benchmark wrote, warms the code paths up on a small throwaway shard, then builds,
/// sweeps and snapshots the real one, measuring its own resident-set growth (<c>/proc/self/status</c>: RssAnon and
/// RssFile) from just before the index is created, and prints the <see cref="EngineResult"/> as JSON on standard
/// output. One fresh process per engine, as for hnswlib and FAISS, so every engine's figure excludes its runtime's
/// baseline (the .NET runtime, Python and numpy) the same way.
/// </summary>
public static class IndexWorker
{
    private const int WarmUpCount = 500;

    /// <summary>The worker's command-line arguments for <paramref name="options"/> and the files.</summary>
    /// <param name="options">The benchmark's options.</param>
    /// <param name="basePath">The base vectors (.npy float32).</param>
    /// <param name="queriesPath">The queries (.npy float32).</param>
    /// <param name="truthPath">The exact top-k (.npy int32).</param>
    /// <param name="workDirectory">Where the memory-mapped vectors and the snapshot go.</param>
    /// <returns>The arguments, in the order <see cref="ParseArguments"/> reads them.</returns>
    /// <param name="engine">Which engine: <see cref="IndexEngines.MemoryFabric"/> or <see cref="IndexEngines.MemoryFabricShards"/>.</param>
    public static IReadOnlyList<string> Arguments(IndexBenchmarkOptions options, string basePath, string queriesPath, string truthPath, string workDirectory, string engine = IndexEngines.MemoryFabric)
    {
        ArgumentNullException.ThrowIfNull(options);
        var c = CultureInfo.InvariantCulture;
        return
        [
            "--base", basePath,
            "--queries", queriesPath,
            "--gt", truthPath,
            "--work-dir", workDirectory,
            "--m", options.M.ToString(c),
            "--ef-construction", options.EfConstruction.ToString(c),
            "--ef", string.Join(',', options.EfValues.Select(e => e.ToString(c))),
            "--k", options.K.ToString(c),
            "--target", options.TargetRecall.ToString("R", c),
            "--repeat", options.Repeat.ToString(c),
            "--seed", options.Seed.ToString(c),
            "--storage", options.Storage.ToString(),
            "--shards", options.Shards.ToString(c),
            "--batch", options.ShardBatch.ToString(c),
            "--engine", engine,
        ];
    }

    /// <summary>Reads the arguments written by <see cref="Arguments"/>.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The options and the four paths.</returns>
    /// <exception cref="ArgumentException">An argument is missing or malformed.</exception>
    public static (IndexBenchmarkOptions Options, string BasePath, string QueriesPath, string TruthPath, string WorkDirectory) ParseArguments(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"index worker: unexpected argument \"{args[i]}\"", nameof(args));
            }

            values[args[i][2..]] = args[++i];
        }

        string Get(string name) => values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"index worker: --{name} is missing", nameof(args));
        int Int(string name) => int.TryParse(Get(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"index worker: --{name} is not an integer", nameof(args));
        var defaults = new IndexBenchmarkOptions();
        var options = new IndexBenchmarkOptions
        {
            M = Int("m"),
            EfConstruction = Int("ef-construction"),
            EfValues = [.. Get("ef").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(e => int.Parse(e, NumberStyles.Integer, CultureInfo.InvariantCulture))],
            K = Int("k"),
            TargetRecall = double.Parse(Get("target"), NumberStyles.Float, CultureInfo.InvariantCulture),
            Repeat = Int("repeat"),
            Seed = Int("seed"),
            Storage = Enum.TryParse<VectorStorage>(Get("storage"), out var storage) && Enum.IsDefined(storage)
                ? storage
                : throw new ArgumentException("index worker: --storage is not a vector storage", nameof(args)),
            Shards = values.ContainsKey("shards") ? Int("shards") : defaults.Shards,
            ShardBatch = values.ContainsKey("batch") ? Int("batch") : defaults.ShardBatch,
            Engines = [values.TryGetValue("engine", out var engine) ? engine : IndexEngines.MemoryFabric],
        };
        return (options, Get("base"), Get("queries"), Get("gt"), Get("work-dir"));
    }

    /// <summary>Runs MemoryFabric's engine on the files and returns its result (resident-set figures included when
    /// <c>/proc/self/status</c> gives them).</summary>
    /// <param name="options">The options (M, efConstruction, efSearch values, k, target, repeat, seed, storage, progress).</param>
    /// <param name="basePath">The base vectors.</param>
    /// <param name="queriesPath">The queries.</param>
    /// <param name="truthPath">The exact top-k.</param>
    /// <param name="workDirectory">Where the memory-mapped vectors and the snapshot go.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>The result.</returns>
    public static EngineResult Run(IndexBenchmarkOptions options, string basePath, string queriesPath, string truthPath, string workDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (data, rows, dimensions) = NpyFile.ReadFloat32(basePath);
        var (queries, _, queryDimensions) = NpyFile.ReadFloat32(queriesPath);
        if (queryDimensions != dimensions)
        {
            throw new InvalidDataException($"{queriesPath}: {queryDimensions} dimensions, the base vectors have {dimensions}");
        }

        var truth = NpyFile.ReadInt32(truthPath);
        var set = new VectorSet("file", $"{rows} × {dimensions} from {Path.GetFileName(basePath)}", dimensions, data, queries);
        if (options.Engines is [IndexEngines.MemoryFabricShards])
        {
            return TenantShardsEngine.RunAsync(set, truth, options, workDirectory, cancellationToken).GetAwaiter().GetResult();
        }

        WarmUp(set, options, workDirectory, cancellationToken);
        return MemoryFabricEngine.Run(set, truth, options, workDirectory, cancellationToken);
    }

    /// <summary>Runs <see cref="Run"/> and writes the result as one JSON object.</summary>
    /// <param name="options">The options.</param>
    /// <param name="basePath">The base vectors.</param>
    /// <param name="queriesPath">The queries.</param>
    /// <param name="truthPath">The exact top-k.</param>
    /// <param name="workDirectory">Where the memory-mapped vectors and the snapshot go.</param>
    /// <param name="output">Receives the JSON.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>A task that completes when the JSON is written.</returns>
    public static async Task RunAsync(
        IndexBenchmarkOptions options, string basePath, string queriesPath, string truthPath, string workDirectory, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var result = Run(options, basePath, queriesPath, truthPath, workDirectory, cancellationToken);
        await output.WriteLineAsync(JsonSerializer.Serialize(result)).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the JSON written by <see cref="RunAsync"/>; details come back as numbers, strings and
    /// string-to-number maps.</summary>
    /// <param name="json">The JSON.</param>
    /// <returns>The result.</returns>
    /// <exception cref="InvalidDataException">Not an engine result.</exception>
    public static EngineResult ParseResult(string json)
    {
        var result = JsonSerializer.Deserialize<EngineResult>(json) ?? throw new InvalidDataException("the index worker printed no result");
        if (result.Details is null)
        {
            return result;
        }

        var details = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in result.Details)
        {
            details[key] = value is JsonElement element ? Plain(element) : value;
        }

        return result with { Details = details };
    }

    private static object Plain(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Object => element.EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.Number)
            .ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal),
        _ => element.ToString(),
    };

    // JIT-compiles the build and search paths and maps the code they use, so that neither counts in the real
    // shard's growth (the Python reference imports its library before its baseline too).
    private static void WarmUp(VectorSet set, IndexBenchmarkOptions options, string workDirectory, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(workDirectory, "warm-up");
        var count = Math.Min(WarmUpCount, set.Count);
        {
            using var shard = new VectorShard(new VectorShardOptions
            {
                Dimensions = set.Dimensions,
                Metric = VectorMetric.InnerProduct,
                M = options.M,
                EfConstruction = options.EfConstruction,
                VectorStorage = options.Storage,
                StorageDirectory = directory,
                Seed = options.Seed,
            });
            for (var i = 0; i < count; i++)
            {
                shard.Upsert("w" + i.ToString(CultureInfo.InvariantCulture), set.Row(i));
            }

            for (var q = 0; q < Math.Min(200, set.QueryCount); q++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                shard.Search(set.Query(q), options.K, efSearch: options.EfValues[0]);
            }
        }

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
