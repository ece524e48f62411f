using System.CommandLine;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab bench</c>: performance benchmarks measured side by side with reference implementations.</summary>
internal static class BenchCommand
{
    /// <summary>Builds the command and its subcommands.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("bench", "Measure performance: side by side with reference implementations (embed, index) and under load (http).");
        command.Subcommands.Add(BenchEmbedCommand.Create());
        command.Subcommands.Add(BenchIndexCommand.Create());
        command.Subcommands.Add(BenchIndexCommand.CreateWorker());
        command.Subcommands.Add(BenchIndexCommand.CreateShards());
        command.Subcommands.Add(BenchSplitCommand.Create());
        command.Subcommands.Add(BenchLargeAgentCommand.Create());
        command.Subcommands.Add(BenchHttpCommand.Create());
        command.Subcommands.Add(BenchStorageCommand.Create());
        command.Subcommands.Add(BenchAbuseCommand.Create());
        command.Subcommands.Add(BenchBehaviourCommand.Create());
        command.Subcommands.Add(BenchConsensusCommand.Create());
        return command;
    }
}
