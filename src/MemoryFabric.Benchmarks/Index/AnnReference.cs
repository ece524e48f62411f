using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MemoryFabric.Benchmarks.Index;

/// <summary>Runs <c>ann_reference.py</c> (hnswlib and FAISS HNSW) on the files the benchmark wrote: one fresh Python
/// process per engine, so that each one's resident-set growth is its own.</summary>
internal static class AnnReference
{
    private const string ScriptName = "ann_reference.py";
    private const string ResourceName = "MemoryFabric.Benchmarks.Index.ann_reference.py";

    public sealed record Outcome(Dictionary<string, EngineResult> Engines, Dictionary<string, string> Errors);

    public static async Task<Outcome> RunAsync(
        IndexBenchmarkOptions options, IReadOnlyList<string> engines, string basePath, string queriesPath, string truthPath, string workDirectory, CancellationToken cancellationToken)
    {
        var script = LocateScript(workDirectory);
        var results = new Dictionary<string, EngineResult>();
        var errors = new Dictionary<string, string>();
        foreach (var engine in engines)
        {
            var python = await PythonInterpreter.ResolveAsync(options.Python, ["numpy", engine], ExecutableSearch.CurrentPath, cancellationToken).ConfigureAwait(false);
            if (python.Path is null)
            {
                errors[engine] = python.Error!;
                options.Progress?.WriteLine($"{engine}: {python.Error}");
                continue;
            }

            var outcome = await RunEngineAsync(python.Path, script, options, engine, basePath, queriesPath, truthPath, cancellationToken).ConfigureAwait(false);
            foreach (var (name, result) in outcome.Engines)
            {
                results[name] = result;
            }

            foreach (var (name, error) in outcome.Errors)
            {
                errors[name] = error;
            }
        }

        return new Outcome(results, errors);
    }

    private static async Task<Outcome> RunEngineAsync(
        string python, string script, IndexBenchmarkOptions options, string engine, string basePath, string queriesPath, string truthPath, CancellationToken cancellationToken)
    {
        var arguments = new List<string>
        {
            script,
            "--base", basePath,
            "--queries", queriesPath,
            "--gt", truthPath,
            "--m", options.M.ToString(CultureInfo.InvariantCulture),
            "--ef-construction", options.EfConstruction.ToString(CultureInfo.InvariantCulture),
            "--ef", string.Join(',', options.EfValues),
            "--k", options.K.ToString(CultureInfo.InvariantCulture),
            "--target", options.TargetRecall.ToString(CultureInfo.InvariantCulture),
            "--repeat", options.Repeat.ToString(CultureInfo.InvariantCulture),
            "--engines", engine,
            "--build-threads", options.ReferenceBuildThreads.ToString(CultureInfo.InvariantCulture),
        };
        // One thread for any BLAS or OpenMP pool the libraries start, on top of their own thread settings.
        var environment = new Dictionary<string, string>
        {
            ["OMP_NUM_THREADS"] = "1",
            ["OPENBLAS_NUM_THREADS"] = "1",
            ["MKL_NUM_THREADS"] = "1",
        };

        ExternalProcess.Result result;
        try
        {
            result = await ExternalProcess.RunAsync(python, arguments, null, environment, options.Progress, errorTailLines: 5, cancellationToken).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new Outcome([], new Dictionary<string, string> { [engine] = $"cannot run {python}: {e.Message}" });
        }

        if (result.ExitCode != 0)
        {
            return new Outcome([], new Dictionary<string, string> { [engine] = $"{Path.GetFileName(script)} ({python}) exited with code {result.ExitCode}: {result.ErrorTail}" });
        }

        return Parse(result.Output);
    }

    private static Outcome Parse(string stdout)
    {
        var root = JsonNode.Parse(stdout) ?? throw new InvalidDataException("ann_reference.py printed no JSON");
        var engines = new Dictionary<string, EngineResult>();
        var errors = new Dictionary<string, string>();
        if (root["engines"] is JsonObject results)
        {
            foreach (var (name, node) in results)
            {
                if (node is null)
                {
                    continue;
                }

                var sweep = node["sweep"]?.AsArray().Select(p => new SweepPoint(
                    p!["ef_search"]!.GetValue<int>(),
                    p["recall_at_10"]!.GetValue<double>(),
                    p["qps"]!.GetValue<double>())).ToList();
                engines[name] = new EngineResult
                {
                    Threads = node["threads"]?.GetValue<int>() ?? 1,
                    BuildSeconds = node["build_seconds"]?.GetValue<double>(),
                    BuildVectorsPerSecond = node["build_vectors_per_second"]?.GetValue<double>(),
                    BytesPerVector = node["bytes_per_vector"]?.GetValue<double>(),
                    BytesPerVectorMethod = node["bytes_per_vector_method"]?.GetValue<string>(),
                    BytesPerVectorCheck = node["bytes_per_vector_layout"]?.GetValue<double>(),
                    ResidentBaseline = Resident(node["rss_baseline"]),
                    ResidentGrowthAfterBuild = Resident(node["rss_growth_after_build"]),
                    ResidentGrowthAfterQueries = Resident(node["rss_growth_after_queries"]),
                    AnonBytesPerVector = node["rss_anon_bytes_per_vector"]?.GetValue<double>(),
                    FileBytesPerVector = node["rss_file_bytes_per_vector"]?.GetValue<double>(),
                    EfSearch = node["ef_search"]?.GetValue<int>(),
                    RecallAt10 = node["recall_at_10"]?.GetValue<double>(),
                    Qps = node["qps"]?.GetValue<double>() ?? 0,
                    ReachedTarget = node["reached_target"]?.GetValue<bool>(),
                    Sweep = sweep,
                    Version = node["version"]?.GetValueKind() == JsonValueKind.String ? node["version"]!.GetValue<string>() : null,
                };
            }
        }

        if (root["errors"] is JsonObject failures)
        {
            foreach (var (name, node) in failures)
            {
                errors[name] = node?.GetValue<string>() ?? "failed";
            }
        }

        return new Outcome(engines, errors);
    }

    private static ResidentMemory? Resident(JsonNode? node) => node is JsonObject o
        ? new ResidentMemory(
            o["total_bytes"]?.GetValue<long>() ?? 0,
            o["anon_bytes"]?.GetValue<long>() ?? 0,
            o["file_bytes"]?.GetValue<long>() ?? 0,
            o["shmem_bytes"]?.GetValue<long>() ?? 0)
        : null;

    private static string LocateScript(string workDirectory)
    {
        foreach (var candidate in new[] { Path.Combine(AppContext.BaseDirectory, "Index", ScriptName), Path.Combine(AppContext.BaseDirectory, ScriptName) })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        // Not copied beside the assembly (e.g. a single-file publish): use the embedded copy.
        var path = Path.Combine(workDirectory, ScriptName);
        using var resource = typeof(AnnReference).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new FileNotFoundException($"{ScriptName} is neither beside the assembly nor embedded in it");
        using var file = File.Create(path);
        resource.CopyTo(file);
        return path;
    }
}
