namespace MemoryFabric.Benchmarks.Index;

/// <summary>Finds the Python that runs the hnswlib / FAISS reference.</summary>
internal static class PythonInterpreter
{
    /// <summary>The install hint given when no Python can import the modules.</summary>
    public const string InstallHint = "Debian: apt-get install -y python3-hnswlib python3-faiss (they load in the system python3); or pass --python";

    /// <summary>The outcome: a path, or why there is none.</summary>
    /// <param name="Path">The interpreter, or <see langword="null"/>.</param>
    /// <param name="Error">Why none was found (what is missing), when <see cref="Path"/> is <see langword="null"/>.</param>
    public sealed record Resolution(string? Path, string? Error);

    /// <summary>The interpreter to use: <paramref name="requested"/> when given (a path, or a name looked up on PATH),
    /// else the first <c>python3</c> on PATH that can import <paramref name="modules"/>.</summary>
    /// <param name="requested">--python, or <see langword="null"/>.</param>
    /// <param name="modules">The modules the run needs.</param>
    /// <param name="pathVariable">PATH.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>The resolution.</returns>
    public static async Task<Resolution> ResolveAsync(string? requested, IReadOnlyList<string> modules, string? pathVariable, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(requested) ? "python3" : requested;
        var candidates = ExecutableSearch.FindAll(name, pathVariable);
        if (candidates.Count == 0)
        {
            return new Resolution(null, name.Contains(System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)
                ? $"--python {name}: no such file"
                : $"no {name} on PATH ({pathVariable}); it needs {string.Join(", ", modules)}. {InstallHint}");
        }

        var failures = new List<string>();
        foreach (var candidate in candidates)
        {
            var reason = await ProbeAsync(candidate, modules, cancellationToken).ConfigureAwait(false);
            if (reason is null)
            {
                return new Resolution(candidate, null);
            }

            failures.Add($"{candidate}: {reason}");
        }

        return new Resolution(null, $"no {name} on PATH can import {string.Join(", ", modules)} ({string.Join("; ", failures)}). {InstallHint}");
    }

    // Null when the interpreter imports every module; else the last line of its error (e.g. "ModuleNotFoundError: No module named 'faiss'").
    private static async Task<string?> ProbeAsync(string python, IReadOnlyList<string> modules, CancellationToken cancellationToken)
    {
        try
        {
            var result = await ExternalProcess.RunAsync(python, ["-c", "import " + string.Join(", ", modules)], null, null, null, errorTailLines: 1, cancellationToken).ConfigureAwait(false);
            return result.ExitCode == 0 ? null : result.ErrorTail.Length > 0 ? result.ErrorTail : $"exit code {result.ExitCode}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return e.Message;
        }
    }
}
