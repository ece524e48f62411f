using MemoryFabric.Benchmarks;

namespace MemoryFabric.Cli.Commands;

/// <summary>How the benchmarks start <c>memfab</c> again as a fresh process (the index worker, the server of the
/// cold-activation phase): this executable when it is memfab's apphost, else the dotnet host with memfab.dll (under
/// <c>dotnet memfab.dll</c>, <c>dotnet run</c> and in tests, whose process is the test host).</summary>
internal static class BenchSelf
{
    /// <summary>The command that starts memfab.</summary>
    /// <returns>The command, without memfab's own arguments.</returns>
    /// <exception cref="FileNotFoundException">No dotnet host was found to run memfab.dll.</exception>
    public static ProcessCommand Memfab() => ProcessCommand.ForApplication(
        typeof(CliApp).Assembly.Location,
        Environment.ProcessPath,
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
        ExecutableSearch.CurrentPath);
}
