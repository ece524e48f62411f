using System.CommandLine;
using MemoryFabric.Benchmarks.Consensus;
using MemoryFabric.Orleans.TenantIndex;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab bench consensus</c>: a relation group's retrieval-time consensus through the tenant's guard grain
/// (today's path) and through the tenant's shards, side by side on the same inputs (<see cref="ConsensusBenchmark"/>).</summary>
internal static class BenchConsensusCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var defaults = new ConsensusBenchmarkOptions();
        var agents = new Option<int>("--agents") { Description = "Agents in the relation group.", HelpName = "n", DefaultValueFactory = _ => defaults.Agents };
        var notes = new Option<int>("--notes-per-agent") { Description = "Trusted notes each agent writes (synthetic facts about people, some shared, some disagreeing).", HelpName = "n", DefaultValueFactory = _ => defaults.NotesPerAgent };
        var subjects = new Option<int?>("--subjects") { Description = "People the notes are about (default: agents × notes per agent / 10).", HelpName = "n" };
        var queries = new Option<int>("--queries") { Description = "Weak claims looked up through both paths (measured).", HelpName = "n", DefaultValueFactory = _ => defaults.Queries };
        var warmUp = new Option<int>("--warm-up") { Description = "Lookups through both paths before the measured ones.", HelpName = "n", DefaultValueFactory = _ => defaults.WarmUp };
        var candidates = new Option<int>("--candidates") { Description = "Note hits per subject through the shards (MemoryFabric:TenantIndex:ConsensusCandidates).", HelpName = "n", DefaultValueFactory = _ => defaults.Candidates };
        var shards = new Option<int>("--shards") { Description = "Shards of the tenant index.", HelpName = "n", DefaultValueFactory = _ => defaults.Shards };
        var dimensions = new Option<int>("--dim") { Description = "Dimensions of the hashing embedder.", HelpName = "n", DefaultValueFactory = _ => defaults.Dimensions };
        var seed = new Option<int>("--seed") { Description = "The seed of the facts and claims.", DefaultValueFactory = _ => defaults.Seed };
        var output = new Option<string?>("--out") { Description = "Also write the figures as JSON to this file.", HelpName = "path" };
        var quiet = ProgressDisplay.QuietOption();
        var command = new Command("consensus", "A relation group's consensus lookups through the tenant's guard grain (today) and through the tenant's shards, on the same weak claims: latency, the write side each path costs, and whether their claims and verdicts agree.")
        {
            agents, notes, subjects, queries, warmUp, candidates, shards, dimensions, seed, output, quiet,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var options = new ConsensusBenchmarkOptions
            {
                Agents = OptionRange.Check(parseResult.GetValue(agents), "--agents", 2, 1_000),
                NotesPerAgent = OptionRange.Check(parseResult.GetValue(notes), "--notes-per-agent", 1, 10_000),
                Subjects = parseResult.GetValue(subjects) is { } s ? OptionRange.Check(s, "--subjects", 1, 1_600) : null,
                Queries = OptionRange.Check(parseResult.GetValue(queries), "--queries", 1, 100_000),
                WarmUp = OptionRange.Check(parseResult.GetValue(warmUp), "--warm-up", 0, 100_000),
                Candidates = OptionRange.Check(parseResult.GetValue(candidates), "--candidates", 1, TenantIndexOptions.MaxConsensusCandidates),
                Shards = OptionRange.Check(parseResult.GetValue(shards), "--shards", 1, 64),
                Dimensions = OptionRange.Check(parseResult.GetValue(dimensions), "--dim", 8, 4096),
                Seed = parseResult.GetValue(seed),
            };
            var report = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, parseResult.GetValue(quiet)), ProgressStyle.Spinners, display =>
            {
                display.Start("bench consensus");
                return ConsensusBenchmark.RunAsync(options with { Progress = display.Log }, cancellationToken);
            }).ConfigureAwait(false);

            await stdout.WriteAsync(report.ToMarkdown()).ConfigureAwait(false);
            return await CommandOutput.TryWriteFileAsync("bench consensus", parseResult.GetValue(output), report.ToJson(), "results", stderr, cancellationToken).ConfigureAwait(false)
                ? ExitCodes.Success
                : ExitCodes.Failure;
        });
        return command;
    }
}
