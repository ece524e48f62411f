using System.Text.Json;
using System.Text.Json.Nodes;

namespace MemoryFabric.Benchmarks.Embed;

/// <summary>Runs the same token ids through ONNX Runtime (npm <c>onnxruntime-node</c>, installed on demand with
/// <c>--ignore-scripts</c> into a cache directory) with the script <c>ort_embed.js</c> kept beside the benchmark.</summary>
internal static class OnnxRuntimeReference
{
    private const string ScriptName = "ort_embed.js";

    /// <summary>The default install directory of the reference.</summary>
    public static string DefaultDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "memoryfabric", "bench", "onnxruntime-node");

    /// <summary>Installs onnxruntime-node (idempotent) and returns the directory holding the script and its modules.</summary>
    public static async Task<string> InstallAsync(string? directory, TextWriter log, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(directory ?? DefaultDirectory);
        Directory.CreateDirectory(target);
        var source = Path.Combine(AppContext.BaseDirectory, "Embed");
        File.Copy(Path.Combine(source, ScriptName), Path.Combine(target, ScriptName), overwrite: true);
        var manifest = Path.Combine(target, "package.json");
        var wanted = await File.ReadAllTextAsync(Path.Combine(source, "package.json"), cancellationToken).ConfigureAwait(false);
        var installed = Path.Combine(target, "node_modules", "onnxruntime-node", "package.json");
        if (File.Exists(installed) && File.Exists(manifest)
            && string.Equals(await File.ReadAllTextAsync(manifest, cancellationToken).ConfigureAwait(false), wanted, StringComparison.Ordinal))
        {
            return target;
        }

        await File.WriteAllTextAsync(manifest, wanted, cancellationToken).ConfigureAwait(false);
        await log.WriteLineAsync($"memfab bench embed: installing onnxruntime-node into {target} (npm install --ignore-scripts) ...").ConfigureAwait(false);
        var (code, _, errors) = await RunAsync("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel", "error"], target, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"npm install of onnxruntime-node failed (exit {code}): {errors.Trim()}");
        }

        return target;
    }

    /// <summary>Runs the reference over the cases' token ids and returns sentences per second by case name, and the
    /// unit vectors of each case's first batch.</summary>
    public static async Task<(string Version, IReadOnlyDictionary<string, double> SentencesPerSecond, IReadOnlyDictionary<string, float[][]> Vectors)> RunAsync(
        string directory, string modelPath, IReadOnlyDictionary<string, IReadOnlyList<int[]>> cases, int threads, int batchSize, double minSeconds,
        bool clsPooling, CancellationToken cancellationToken)
    {
        var input = Path.Combine(Path.GetTempPath(), $"memfab-ort-input-{Environment.ProcessId}-{threads}.json");
        var payload = new JsonObject
        {
            ["model"] = modelPath,
            ["threads"] = threads,
            ["batch"] = batchSize,
            ["min_seconds"] = minSeconds,
            ["pooling"] = clsPooling ? "cls" : "mean",
            ["cases"] = new JsonObject(cases.Select(c => KeyValuePair.Create<string, JsonNode?>(c.Key, JsonSerializer.SerializeToNode(c.Value)))),
        };
        await File.WriteAllTextAsync(input, payload.ToJsonString(), cancellationToken).ConfigureAwait(false);
        try
        {
            var (code, output, errors) = await RunAsync("node", [ScriptName, input], directory, cancellationToken).ConfigureAwait(false);
            if (code != 0)
            {
                throw new InvalidOperationException($"the ONNX Runtime reference failed (exit {code}): {errors.Trim()}");
            }

            var result = JsonNode.Parse(output)!;
            var rates = result["cases"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!["sentences_per_second"]!.GetValue<double>(), StringComparer.Ordinal);
            var vectors = result["cases"]!.AsObject().ToDictionary(
                p => p.Key,
                p => p.Value!["vectors"]?.AsArray().Select(v => v!.AsArray().Select(x => x!.GetValue<float>()).ToArray()).ToArray() ?? [],
                StringComparer.Ordinal);
            return (result["version"]!.GetValue<string>(), rates, vectors);
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static async Task<(int Code, string Output, string Errors)> RunAsync(
        string program, IEnumerable<string> arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        try
        {
            var result = await ExternalProcess.RunAsync(program, arguments, workingDirectory, null, null, errorTailLines: 50, cancellationToken).ConfigureAwait(false);
            return (result.ExitCode, result.Output, result.ErrorTail.Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} was not found on PATH; install Node.js to run the ONNX Runtime reference, or pass --no-reference", e);
        }
    }
}
