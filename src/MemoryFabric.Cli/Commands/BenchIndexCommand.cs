using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MemoryFabric.Benchmarks.Index;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.VectorIndex;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab bench index</c>: MemoryFabric's HNSW vector shard side by side with hnswlib and FAISS HNSW (same
/// vectors, same M and efConstruction, one thread each) and exact brute force.</summary>
internal static class BenchIndexCommand
{
    /// <summary>The hidden subcommand that builds MemoryFabric's index in a process of its own.</summary>
    public const string WorkerName = "index-worker";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Builds <c>memfab bench index</c>.</summary>
    /// <returns>The command.</returns>
    public static Command Create() => Create(
        "index",
        "Benchmark the HNSW vector index against hnswlib, FAISS and exact search: build rate, bytes per vector, recall@10 and single-thread QPS.",
        100_000,
        IndexBenchmarkOptions.DefaultEngines,
        VectorStorage.MappedFile,
        referenceBuildThreads: 1,
        defaultEfConstruction: 200);

    /// <summary>Builds <c>memfab bench shards</c>: a tenant's vector-shard grains in an in-process silo (ingest on every
    /// core, tenant-wide search latency) against one big shard and hnswlib, a million vectors by default.</summary>
    /// <returns>The command.</returns>
    public static Command CreateShards() => Create(
        "shards",
        "Benchmark a tenant's sharded vector index (shard grains in an in-process silo, SQLite journal) against one big HNSW shard and hnswlib: "
            + "ingest vectors/s on every core, bytes per vector, recall@10, tenant-wide search QPS and p99.",
        1_000_000,
        [IndexEngines.MemoryFabricShards, IndexEngines.MemoryFabric, IndexEngines.Hnswlib],
        VectorStorage.Quantized,
        referenceBuildThreads: Environment.ProcessorCount,
        defaultEfConstruction: new TenantIndexOptions().ShardEfConstruction);

    private static Command Create(
        string name, string description, int defaultCount, IReadOnlyList<string> defaultEngines, VectorStorage defaultStorage, int referenceBuildThreads, int defaultEfConstruction)
    {
        var count = new Option<int>("--n")
        {
            Description = "The number of vectors (locomo: at most this many turns).",
            HelpName = "count",
            DefaultValueFactory = _ => defaultCount,
        };
        var dimensions = new Option<int>("--dim")
        {
            Description = "The dimensions of the synthetic sets (locomo uses the encoder's).",
            HelpName = "count",
            DefaultValueFactory = _ => 384,
        };
        var dataset = new Option<string>("--dataset")
        {
            Description = "clustered (2,000 centres on the unit sphere, vector = normalize(centre + g/√dim)), locomo (MiniLM "
                + "embeddings of the LoCoMo turns; questions as queries) or random (plain normal vectors, for completeness).",
            HelpName = "name",
            DefaultValueFactory = _ => IndexDatasets.Clustered,
        };
        var output = new Option<string?>("--out")
        {
            Description = "Also write the results as JSON to this file.",
            HelpName = "path",
        };
        var queries = new Option<int>("--queries")
        {
            Description = "The number of queries.",
            HelpName = "count",
            DefaultValueFactory = _ => 1000,
        };
        var m = new Option<int>("--m")
        {
            Description = "HNSW's M for every engine.",
            HelpName = "links",
            DefaultValueFactory = _ => 16,
        };
        var efConstruction = new Option<int>("--ef-construction")
        {
            Description = "efConstruction for every engine.",
            HelpName = "size",
            DefaultValueFactory = _ => defaultEfConstruction,
        };
        var efSearch = new Option<string?>("--ef-search")
        {
            Description = $"Comma-separated efSearch values to sweep (default {string.Join(',', IndexBenchmarkOptions.DefaultEfValues)}).",
            HelpName = "list",
        };
        var engines = new Option<string>("--engines")
        {
            Description = $"Comma-separated engines: {string.Join(", ", IndexBenchmarkOptions.AllEngines)}.",
            HelpName = "list",
            DefaultValueFactory = _ => string.Join(',', defaultEngines),
        };
        var shards = new Option<int>("--shards")
        {
            Description = "memoryfabric-shards: the number of shard grains.",
            HelpName = "count",
            DefaultValueFactory = _ => 8,
        };
        var batch = new Option<int>("--batch")
        {
            Description = "memoryfabric-shards: vectors per upsert call.",
            HelpName = "count",
            DefaultValueFactory = _ => 512,
        };
        var storage = new Option<string>("--storage")
        {
            Description = "Where MemoryFabric's engines keep the float32 re-ranking vectors: mapped (a memory-mapped file), memory, or quantized (nowhere: "
                + "re-ranking scores the decoded int8 codes).",
            HelpName = "kind",
            DefaultValueFactory = _ => StorageName(defaultStorage),
        };
        var buildThreads = new Option<int>("--reference-build-threads")
        {
            Description = "Threads hnswlib and FAISS build with (their queries run on one).",
            HelpName = "count",
            DefaultValueFactory = _ => referenceBuildThreads,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "The seed of the synthetic data.",
            DefaultValueFactory = _ => 42,
        };
        var repeat = new Option<int>("--repeat")
        {
            Description = "Passes over the queries at the chosen efSearch (the best counts).",
            DefaultValueFactory = _ => 3,
        };
        var vectorsInMemory = new Option<bool>("--vectors-in-memory")
        {
            Description = "Same as --storage memory: MemoryFabric's float32 re-ranking vectors in RAM (their pages then count as anonymous, not file-backed, memory).",
        };
        var python = new Option<string?>("--python")
        {
            Description = "The Python that has numpy, hnswlib and FAISS (default: the first python3 on PATH that can import them; "
                + "Debian: apt-get install -y python3-hnswlib python3-faiss).",
            HelpName = "path",
        };
        var workDirectory = new Option<string?>("--work-dir")
        {
            Description = "Keep the vector files, the memory-mapped vectors and the snapshot here (default: a temporary directory, deleted afterwards).",
            HelpName = "path",
        };
        var locomo = new Option<string>("--locomo")
        {
            Description = "The LoCoMo file for --dataset locomo.",
            HelpName = "path",
            DefaultValueFactory = _ => Benchmarks.BenchmarkDatasets.DefaultLocomoPath,
        };

        var quiet = ProgressDisplay.QuietOption();
        var command = new Command(name, description)
        {
            count, dimensions, dataset, output, queries, m, efConstruction, efSearch, engines, shards, batch, storage, buildThreads, seed, repeat, vectorsInMemory, python,
            workDirectory, locomo, quiet,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var options = new IndexBenchmarkOptions
            {
                Count = parseResult.GetValue(count),
                Dimensions = parseResult.GetValue(dimensions),
                Dataset = (parseResult.GetValue(dataset) ?? string.Empty).Trim().ToLowerInvariant(),
                Queries = parseResult.GetValue(queries),
                M = parseResult.GetValue(m),
                EfConstruction = parseResult.GetValue(efConstruction),
                EfValues = ParseEfValues(parseResult.GetValue(efSearch)),
                Engines = ParseEngines(parseResult.GetValue(engines)),
                Seed = parseResult.GetValue(seed),
                Repeat = parseResult.GetValue(repeat),
                Storage = parseResult.GetValue(vectorsInMemory) ? VectorStorage.InMemory : ParseStorage(parseResult.GetValue(storage)),
                Shards = parseResult.GetValue(shards),
                ShardBatch = parseResult.GetValue(batch),
                ReferenceBuildThreads = parseResult.GetValue(buildThreads),
                Python = parseResult.GetValue(python),
                WorkerCommand = WorkerCommand(stderr),
                WorkDirectory = parseResult.GetValue(workDirectory),
                LocomoPath = parseResult.GetValue(locomo) ?? string.Empty,
                Progress = stderr,
            };
            Validate(options);
            return await RunAsync(name, options, parseResult.GetValue(output), parseResult.GetValue(quiet), stdout, stderr, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Builds the hidden <c>bench index-worker</c> command: MemoryFabric's engine on the benchmark's .npy files in
    /// a fresh process, its result as JSON on standard output (see <see cref="IndexWorker"/>).</summary>
    /// <returns>The command.</returns>
    public static Command CreateWorker()
    {
        var command = new Command(WorkerName, "Internal: the process in which memfab bench index builds MemoryFabric's index.")
        {
            Hidden = true,
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            (IndexBenchmarkOptions Options, string BasePath, string QueriesPath, string TruthPath, string WorkDirectory) parsed;
            try
            {
                parsed = IndexWorker.ParseArguments([.. parseResult.UnmatchedTokens]);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                throw new UsageException(e.Message, e);
            }

            parsed.Options.Progress = parseResult.InvocationConfiguration.Error;
            await IndexWorker.RunAsync(parsed.Options, parsed.BasePath, parsed.QueriesPath, parsed.TruthPath, parsed.WorkDirectory,
                parseResult.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<int> RunAsync(string name, IndexBenchmarkOptions options, string? outPath, bool quiet, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        IndexBenchmarkReport report;
        try
        {
            report = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, quiet), ProgressStyle.Spinners, display =>
            {
                display.Start("bench " + name);
                options.Progress = display.Log;
                return IndexBenchmark.RunAsync(options, cancellationToken: cancellationToken);
            }).ConfigureAwait(false);
        }
        catch (Evaluation.Datasets.DatasetFormatException e)
        {
            throw new UsageException(e.Message, e);
        }
        catch (Exception e) when (e is Embeddings.ModelFileException or Embeddings.ModelAcquisitionException)
        {
            await stderr.WriteLineAsync($"memfab: --dataset locomo needs the MiniLM encoder's model: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await stdout.WriteAsync(IndexReportTable.Render(report)).ConfigureAwait(false);
        if (!await CommandOutput.TryWriteFileAsync($"bench {name}", outPath, JsonSerializer.Serialize(report, JsonOptions), "results", stderr, cancellationToken).ConfigureAwait(false))
        {
            return ExitCodes.Failure;
        }

        // An engine that could not run (e.g. hnswlib not installed) is reported and makes the exit code 1.
        return report.Engines.Count == options.Engines.Count ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static Benchmarks.ProcessCommand? WorkerCommand(TextWriter stderr)
    {
        try
        {
            return BenchSelf.Memfab().With("bench", WorkerName);
        }
        catch (FileNotFoundException e)
        {
            stderr.WriteLine($"memfab bench index: {e.Message}; MemoryFabric's index is built in this process, so its RSS figure is not comparable");
            return null;
        }
    }

    private static void Validate(IndexBenchmarkOptions options)
    {
        if (!IndexDatasets.All.Contains(options.Dataset))
        {
            throw new UsageException($"--dataset: unknown dataset \"{options.Dataset}\" (known: {string.Join(", ", IndexDatasets.All)})");
        }

        if (options.Count < 100 || options.Count > 50_000_000)
        {
            throw new UsageException($"--n must be between 100 and 50,000,000 (got {options.Count})");
        }

        if (options.Dimensions < 1 || options.Dimensions > VectorShardOptions.MaxDimensions)
        {
            throw new UsageException($"--dim must be between 1 and {VectorShardOptions.MaxDimensions} (got {options.Dimensions})");
        }

        if ((long)options.Count * options.Dimensions > int.MaxValue)
        {
            throw new UsageException($"--n × --dim must stay below {int.MaxValue:N0} floats (got {(long)options.Count * options.Dimensions:N0})");
        }

        if (options.Queries < 1 || options.Queries > 1_000_000)
        {
            throw new UsageException($"--queries must be between 1 and 1,000,000 (got {options.Queries})");
        }

        if (options.M < 2 || options.M > VectorShardOptions.MaxM)
        {
            throw new UsageException($"--m must be between 2 and {VectorShardOptions.MaxM} (got {options.M})");
        }

        if (options.EfConstruction < 1)
        {
            throw new UsageException($"--ef-construction must be positive (got {options.EfConstruction})");
        }

        if (options.Repeat < 1)
        {
            throw new UsageException($"--repeat must be positive (got {options.Repeat})");
        }

        if (options.Shards < 1 || options.Shards > 4096)
        {
            throw new UsageException($"--shards must be between 1 and 4,096 (got {options.Shards})");
        }

        if (options.ShardBatch < 1 || options.ShardBatch > 100_000)
        {
            throw new UsageException($"--batch must be between 1 and 100,000 (got {options.ShardBatch})");
        }

        if (options.ReferenceBuildThreads < 1 || options.ReferenceBuildThreads > 1024)
        {
            throw new UsageException($"--reference-build-threads must be between 1 and 1,024 (got {options.ReferenceBuildThreads})");
        }

        if (options.Dataset == IndexDatasets.Locomo && !File.Exists(options.LocomoPath))
        {
            throw new UsageException($"--locomo: {options.LocomoPath}: dataset file not found");
        }
    }

    private static string StorageName(VectorStorage storage) => storage switch
    {
        VectorStorage.InMemory => "memory",
        VectorStorage.Quantized => "quantized",
        _ => "mapped",
    };

    private static VectorStorage ParseStorage(string? text) => (text ?? string.Empty).Trim().ToLowerInvariant() switch
    {
        "mapped" => VectorStorage.MappedFile,
        "memory" => VectorStorage.InMemory,
        "quantized" => VectorStorage.Quantized,
        var other => throw new UsageException($"--storage: unknown storage \"{other}\" (known: mapped, memory, quantized)"),
    };

    private static List<int> ParseEfValues(string? text)
    {
        if (text is null)
        {
            return [.. IndexBenchmarkOptions.DefaultEfValues];
        }

        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                throw new UsageException($"--ef-search: \"{part}\" is not a positive integer");
            }

            values.Add(value);
        }

        if (values.Count == 0)
        {
            throw new UsageException("--ef-search: no value given");
        }

        return [.. values.Distinct().Order()];
    }

    private static List<string> ParseEngines(string? text)
    {
        var engines = (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.ToLowerInvariant()).Distinct().ToList();
        if (engines.Count == 0)
        {
            throw new UsageException("--engines: no engine given");
        }

        var unknown = engines.Where(e => !IndexBenchmarkOptions.AllEngines.Contains(e)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"--engines: unknown engine {string.Join(", ", unknown.Select(u => $"\"{u}\""))} (known: {string.Join(", ", IndexBenchmarkOptions.AllEngines)})");
        }

        return engines;
    }
}
