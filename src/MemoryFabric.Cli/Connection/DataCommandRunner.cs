using System.Net;
using System.Net.Sockets;
using MemoryFabric.Client;

namespace MemoryFabric.Cli.Connection;

/// <summary>Runs the body of a data command on an open connection and turns what can go wrong into one line on
/// standard error and an exit code: the server's problem details, an unreachable server, a timeout.</summary>
internal static class DataCommandRunner
{
    /// <summary>Opens the connection, runs the body, closes the connection (stopping a local server even when the body
    /// fails or is cancelled).</summary>
    /// <param name="settings">Where to connect.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="body">The command's work; returns the exit code.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(
        ConnectionSettings settings,
        TextWriter stderr,
        Func<MemoryFabricConnection, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(body);
        MemoryFabricConnection? connection = null;
        int code;
        try
        {
            connection = await MemoryFabricConnection.OpenAsync(settings, stderr, cancellationToken).ConfigureAwait(false);
            code = await body(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (MemoryFabricApiException e)
        {
            await stderr.WriteLineAsync(ApiErrors.Describe(e, settings)).ConfigureAwait(false);
            code = ApiErrors.ExitCode(e);
        }
        catch (HttpRequestException e) when (!settings.Local)
        {
            await stderr.WriteLineAsync($"memfab: cannot reach {settings.Endpoint}: {ApiErrors.OneLine(Reason(e))} {ApiErrors.ServeHint(settings)}").ConfigureAwait(false);
            code = ExitCodes.Failure;
        }
        catch (System.Text.Json.JsonException e) when (!settings.Local)
        {
            await stderr.WriteLineAsync($"memfab: {settings.Endpoint} did not answer like a MemoryFabric server: {ApiErrors.OneLine(e.Message)}").ConfigureAwait(false);
            code = ExitCodes.Failure;
        }
        catch (TimeoutException e)
        {
            await stderr.WriteLineAsync($"memfab: {settings.Target} did not answer in time: {ApiErrors.OneLine(e.Message)}").ConfigureAwait(false);
            code = ExitCodes.Failure;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        return connection is { StopFailed: true } && code == ExitCodes.Success ? ExitCodes.Failure : code;
    }

    /// <summary>Runs a subcommand's body with the connection its options name and the invocation's standard output
    /// and error (the shape of the <c>notes</c> and <c>guard</c> subcommands).</summary>
    /// <param name="parseResult">The parsed command line.</param>
    /// <param name="connection">The command's connection options.</param>
    /// <param name="body">The work: connection, standard output, standard error, cancellation; returns the exit code.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(
        System.CommandLine.ParseResult parseResult,
        ConnectionOptions connection,
        Func<MemoryFabricConnection, TextWriter, TextWriter, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(connection);
        var stdout = parseResult.InvocationConfiguration.Output;
        var stderr = parseResult.InvocationConfiguration.Error;
        return RunAsync(connection.Read(parseResult), stderr, (open, ct) => body(open, stdout, stderr, ct), cancellationToken);
    }

    private static string Reason(HttpRequestException e) => e.InnerException switch
    {
        SocketException s => s.Message,
        IOException io => io.Message,
        _ => e.Message,
    };
}
