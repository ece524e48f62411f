using System.CommandLine;
using System.Text.Json;
using MemoryFabric.Benchmarks.Split;
using MemoryFabric.VectorIndex;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab bench split</c>: what splitting a tenant's vector shard costs while it is searched and written
/// (<see cref="SplitBenchmark"/>).</summary>
internal static class BenchSplitCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var defaults = new SplitBenchmarkOptions();
        var count = new Option<int>("--n") { Description = "Vectors in the shard before the split (clustered, 384 dimensions by default).", HelpName = "count", DefaultValueFactory = _ => defaults.Count };
        var writes = new Option<int>("--writes") { Description = "Vectors written while the split runs.", HelpName = "count", DefaultValueFactory = _ => defaults.Writes };
        var writeBatch = new Option<int>("--write-batch") { Description = "Vectors per write during the split.", HelpName = "count", DefaultValueFactory = _ => defaults.WriteBatch };
        var dimensions = new Option<int>("--dim") { Description = "Dimensions.", HelpName = "count", DefaultValueFactory = _ => defaults.Dimensions };
        var queries = new Option<int>("--queries") { Description = "Queries measured before and after (cycled during the split).", HelpName = "count", DefaultValueFactory = _ => defaults.Queries };
        var efSearch = new Option<int>("--ef-search") { Description = "efSearch of every query.", HelpName = "size", DefaultValueFactory = _ => defaults.EfSearch };
        var copyBatch = new Option<int>("--copy-batch") { Description = "Items the split copies per step (MemoryFabric:TenantIndex:SplitCopyBatch).", HelpName = "count", DefaultValueFactory = _ => defaults.CopyBatch };
        var storage = new Option<string>("--storage") { Description = "quantized (int8 codes only, the shards' default), memory or mapped (float32 vectors too).", HelpName = "kind", DefaultValueFactory = _ => "quantized" };
        var output = new Option<string?>("--out") { Description = "Also write the figures as JSON to this file.", HelpName = "path" };
        var quiet = ProgressDisplay.QuietOption();
        var command = new Command("split", "Split a tenant's vector shard while one client searches and another writes: the split's duration, search and write latency before, during and after, recall, and whether every item was kept.")
        {
            count, writes, writeBatch, dimensions, queries, efSearch, copyBatch, storage, output, quiet,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var storageName = (parseResult.GetValue(storage) ?? "quantized").Trim().ToLowerInvariant();
            var vectorStorage = storageName switch
            {
                "quantized" => VectorStorage.Quantized,
                "memory" => VectorStorage.InMemory,
                "mapped" => VectorStorage.MappedFile,
                _ => throw new UsageException($"--storage: unknown storage \"{storageName}\" (quantized, memory, mapped)"),
            };
            var n = OptionRange.Check(parseResult.GetValue(count), "--n", 100, 5_000_000);
            var report = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, parseResult.GetValue(quiet)), ProgressStyle.Spinners, display =>
            {
                display.Start("bench split");
                return SplitBenchmark.RunAsync(
                    new SplitBenchmarkOptions
                    {
                        Count = n,
                        Writes = OptionRange.Check(parseResult.GetValue(writes), "--writes", 0, 1_000_000),
                        WriteBatch = OptionRange.Check(parseResult.GetValue(writeBatch), "--write-batch", 1, 10_000),
                        Dimensions = OptionRange.Check(parseResult.GetValue(dimensions), "--dim", 2, 4096),
                        Queries = OptionRange.Check(parseResult.GetValue(queries), "--queries", 1, 100_000),
                        EfSearch = OptionRange.Check(parseResult.GetValue(efSearch), "--ef-search", 1, 10_000),
                        CopyBatch = OptionRange.Check(parseResult.GetValue(copyBatch), "--copy-batch", 1, 10_000),
                        Storage = vectorStorage,
                        Progress = display.Log,
                    },
                    cancellationToken);
            }).ConfigureAwait(false);

            await stdout.WriteAsync(report.Render()).ConfigureAwait(false);
            if (!await CommandOutput.TryWriteFileAsync("bench split", parseResult.GetValue(output), JsonSerializer.Serialize(report, JsonOptions), "results", stderr, cancellationToken).ConfigureAwait(false))
            {
                return ExitCodes.Failure;
            }

            return report.EveryItemKept ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }
}
