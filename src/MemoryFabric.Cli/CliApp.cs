using System.CommandLine;
using MemoryFabric.Cli.Commands;
using MemoryFabric.Client;

namespace MemoryFabric.Cli;

/// <summary>The <c>memfab</c> command line: the root command, its subcommands, and error handling.</summary>
internal static class CliApp
{
    /// <summary>How long a data command or <c>serve</c> may take to finish after Ctrl+C or SIGTERM: long enough to stop
    /// a server gracefully (agents persisted) before the process exits.</summary>
    internal static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(30);

    // The commands that run or talk to a server, and stop it in order after Ctrl+C.
    private static readonly HashSet<string> ServerCommands = new(StringComparer.Ordinal)
    {
        "serve", "ingest", "search", "context", "notes", "forget", "export", "import", "guard", "mcp", "agents", "tenants", "admin",
    };

    /// <summary>Builds the root command. New commands are added here.</summary>
    /// <returns>The root command.</returns>
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("memfab: the MemoryFabric command line (long-term memory for AI agents).");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(IngestCommand.Create());
        root.Subcommands.Add(SearchCommand.Create());
        root.Subcommands.Add(ContextCommand.Create());
        root.Subcommands.Add(NotesCommand.Create());
        root.Subcommands.Add(ForgetCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(GuardCommand.Create());
        root.Subcommands.Add(McpCommand.Create());
        root.Subcommands.Add(AgentsCommand.Create());
        root.Subcommands.Add(TenantsCommand.Create());
        root.Subcommands.Add(AdminCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(DatasetCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }

    /// <summary>Parses and runs a command line. Parse errors and bad input give one line on standard error and
    /// <see cref="ExitCodes.BadInput"/>, never a stack trace.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="output">Standard output; the console when <see langword="null"/>.</param>
    /// <param name="error">Standard error; the console when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the command as Ctrl+C would (a test seam, e.g. to stop <c>serve</c>).</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        // The console's writers are synchronized already; a caller's (a test's StringWriter) may be written from the
        // in-process server's threads too.
        output = output is null || ReferenceEquals(output, Console.Out) ? Console.Out : TextWriter.Synchronized(output);
        error = error is null || ReferenceEquals(error, Console.Error) ? Console.Error : TextWriter.Synchronized(error);
        var parseResult = BuildRootCommand().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            await error.WriteLineAsync($"memfab: {string.Join("; ", parseResult.Errors.Select(e => OneLine(e.Message)))} (see memfab --help)").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        if (IsServerCommand(parseResult))
        {
            configuration.ProcessTerminationTimeout = GracefulStopTimeout;
        }

        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"memfab: {OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("memfab: cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (MemoryFabricApiException e)
        {
            await error.WriteLineAsync($"memfab: {OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"memfab: {e.GetType().Name}: {OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    private static bool IsServerCommand(ParseResult parseResult)
    {
        Command? top = null;
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (result.Parent is System.CommandLine.Parsing.CommandResult { Parent: null })
            {
                top = result.Command;
            }
        }

        return top is not null && ServerCommands.Contains(top.Name);
    }

    // System.CommandLine lists allowed values on separate, tab-indented lines; keep the error to one line.
    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
