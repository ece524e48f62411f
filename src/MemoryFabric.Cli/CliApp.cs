using System.CommandLine;
using MemoryFabric.Cli.Commands;

namespace MemoryFabric.Cli;

/// <summary>The <c>memfab</c> command line: the root command, its subcommands, and error handling.</summary>
internal static class CliApp
{
    /// <summary>Builds the root command. New commands (serve, ingest, search, bench) are added here.</summary>
    /// <returns>The root command.</returns>
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("memfab: the MemoryFabric command line (long-term memory for AI agents).");
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }

    /// <summary>Parses and runs a command line. Parse errors and bad input give one line on standard error and
    /// <see cref="ExitCodes.BadInput"/>, never a stack trace.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="output">Standard output; the console when <see langword="null"/>.</param>
    /// <param name="error">Standard error; the console when <see langword="null"/>.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var parseResult = BuildRootCommand().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            await error.WriteLineAsync($"memfab: {string.Join("; ", parseResult.Errors.Select(e => OneLine(e.Message)))} (see memfab --help)").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            return await parseResult.InvokeAsync(configuration).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"memfab: {e.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("memfab: cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"memfab: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    // System.CommandLine lists allowed values on separate, tab-indented lines; keep the error to one line.
    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
