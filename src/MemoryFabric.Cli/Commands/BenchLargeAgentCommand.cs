using System.CommandLine;
using System.Text.Json;
using MemoryFabric.Benchmarks.LargeAgent;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab bench large-agent</c>: an agent past the large-agent threshold, searching its turns through the
/// tenant's shards, against one that keeps its turn vectors (<see cref="LargeAgentBenchmark"/>).</summary>
internal static class BenchLargeAgentCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var defaults = new LargeAgentBenchmarkOptions();
        var turns = new Option<int>("--turns") { Description = "Turns in each of the two agents.", HelpName = "count", DefaultValueFactory = _ => defaults.Turns };
        var threshold = new Option<int>("--threshold") { Description = "The large-agent threshold in turn vectors (MemoryFabric:TenantIndex:LargeAgentTurnVectors).", HelpName = "count", DefaultValueFactory = _ => defaults.Threshold };
        var efSearch = new Option<int>("--ef-search") { Description = "The shards' candidate-list size for the large agent's searches (MemoryFabric:TenantIndex:LargeAgentEfSearch).", HelpName = "size", DefaultValueFactory = _ => defaults.EfSearch };
        var queries = new Option<int>("--queries") { Description = "Searches measured on each agent.", HelpName = "count", DefaultValueFactory = _ => defaults.Queries };
        var dimensions = new Option<int>("--dim") { Description = "Dimensions of the hashing embedder.", HelpName = "count", DefaultValueFactory = _ => defaults.Dimensions };
        var shards = new Option<int>("--shards") { Description = "Shards of the tenant index.", HelpName = "count", DefaultValueFactory = _ => defaults.Shards };
        var output = new Option<string?>("--out") { Description = "Also write the figures as JSON to this file.", HelpName = "path" };
        var quiet = ProgressDisplay.QuietOption();
        var command = new Command("large-agent", "Compare an agent past the large-agent threshold (its turn vectors offloaded to the tenant's shards) with one holding the same turns: activation heap, first search, search latency, dense recall@10 against exact, top-10 agreement.")
        {
            turns, threshold, efSearch, queries, dimensions, shards, output, quiet,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var n = OptionRange.Check(parseResult.GetValue(turns), "--turns", 100, 2_000_000);
            var report = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, parseResult.GetValue(quiet)), ProgressStyle.Spinners, display =>
            {
                display.Start("bench large-agent");
                return LargeAgentBenchmark.RunAsync(
                    new LargeAgentBenchmarkOptions
                    {
                        Turns = n,
                        Threshold = OptionRange.Check(parseResult.GetValue(threshold), "--threshold", 1, n),
                        EfSearch = OptionRange.Check(parseResult.GetValue(efSearch), "--ef-search", 1, 10_000),
                        Queries = OptionRange.Check(parseResult.GetValue(queries), "--queries", 1, 100_000),
                        Dimensions = OptionRange.Check(parseResult.GetValue(dimensions), "--dim", 2, 4096),
                        Shards = OptionRange.Check(parseResult.GetValue(shards), "--shards", 1, 64),
                        Progress = display.Log,
                    },
                    cancellationToken);
            }).ConfigureAwait(false);

            await stdout.WriteAsync(report.Render()).ConfigureAwait(false);
            return await CommandOutput.TryWriteFileAsync("bench large-agent", parseResult.GetValue(output), JsonSerializer.Serialize(report, JsonOptions), "results", stderr, cancellationToken).ConfigureAwait(false)
                ? ExitCodes.Success
                : ExitCodes.Failure;
        });
        return command;
    }
}
