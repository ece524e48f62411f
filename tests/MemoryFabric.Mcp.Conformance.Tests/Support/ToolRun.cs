using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace MemoryFabric.Mcp.Conformance.Tests.Support;

/// <summary>A finished run of an external tool: its exit code and its output, ANSI colours removed.</summary>
internal sealed partial record ToolRun(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() =>
        $"{Command}\nexit {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";

    /// <summary>Runs a program to its end (killed with its children after <paramref name="timeout"/>, which fails).</summary>
    public static async Task<ToolRun> RunAsync(string program, IEnumerable<string> args, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var command = string.Join(' ', start.ArgumentList.Prepend(program).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        process.StandardInput.Close(); // nothing to read: a tool that prompts sees end of input instead of waiting
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{command} did not finish in {timeout.TotalSeconds:0} s and was killed.\n--- stdout ---\n{Clean(stdout)}\n--- stderr ---\n{Clean(stderr)}");
        }

        process.WaitForExit(); // the asynchronous output readers are done after this one
        return new ToolRun(command, process.ExitCode, Clean(stdout), Clean(stderr));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Clean(StringBuilder output)
    {
        lock (output)
        {
            return Ansi().Replace(output.ToString(), string.Empty);
        }
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Ansi();
}
