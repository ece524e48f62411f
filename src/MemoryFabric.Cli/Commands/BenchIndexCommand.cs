using System.CommandLine;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab bench index</c> (placeholder until implemented).</summary>
internal static class BenchIndexCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create() => new("index", "Not implemented yet.");
}
