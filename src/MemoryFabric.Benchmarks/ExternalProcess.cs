using System.Diagnostics;

namespace MemoryFabric.Benchmarks;

/// <summary>Runs a reference implementation's process (node, python) for a benchmark: captures standard output,
/// forwards standard error line by line and keeps its last lines, and kills the process tree on cancellation.</summary>
internal static class ExternalProcess
{
    /// <summary>The outcome of a run.</summary>
    /// <param name="ExitCode">The exit code.</param>
    /// <param name="Output">Everything written to standard output.</param>
    /// <param name="ErrorTail">The last lines written to standard error, joined with " | ".</param>
    public sealed record Result(int ExitCode, string Output, string ErrorTail);

    /// <summary>Runs <paramref name="program"/> to completion.</summary>
    /// <param name="program">The program, looked up on PATH.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="workingDirectory">The working directory; the current one when <see langword="null"/>.</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <param name="errorLines">Receives each standard-error line as it comes, when not <see langword="null"/>.</param>
    /// <param name="errorTailLines">How many of the last standard-error lines the result keeps.</param>
    /// <param name="cancellationToken">Kills the process and cancels.</param>
    /// <returns>The result.</returns>
    /// <exception cref="System.ComponentModel.Win32Exception">The program could not be started (not found).</exception>
    public static async Task<Result> RunAsync(
        string program,
        IEnumerable<string> arguments,
        string? workingDirectory,
        IReadOnlyDictionary<string, string>? environment,
        TextWriter? errorLines,
        int errorTailLines,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        using var registration = cancellationToken.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        });
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errorTail = PumpAsync(process.StandardError, errorLines, errorTailLines, cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return new Result(process.ExitCode, await output.ConfigureAwait(false), await errorTail.ConfigureAwait(false));
    }

    private static async Task<string> PumpAsync(StreamReader reader, TextWriter? lines, int tailLines, CancellationToken cancellationToken)
    {
        var tail = new Queue<string>();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (lines is not null)
            {
                await lines.WriteLineAsync(line).ConfigureAwait(false);
            }

            tail.Enqueue(line);
            if (tail.Count > tailLines)
            {
                tail.Dequeue();
            }
        }

        return string.Join(" | ", tail);
    }
}
