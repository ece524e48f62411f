using System.CommandLine;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab bench embed</c> (placeholder until implemented).</summary>
internal static class BenchEmbedCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create() => new("embed", "Not implemented yet.");
}
