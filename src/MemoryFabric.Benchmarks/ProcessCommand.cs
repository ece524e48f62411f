namespace MemoryFabric.Benchmarks;

/// <summary>A program and the arguments that come before any a caller adds (e.g. <c>dotnet memfab.dll</c>).</summary>
/// <param name="Program">The executable's path.</param>
/// <param name="Arguments">Leading arguments.</param>
public sealed record ProcessCommand(string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>This command with more arguments after its own.</summary>
    /// <param name="more">The arguments to add.</param>
    /// <returns>The longer command.</returns>
    public ProcessCommand With(params IEnumerable<string> more) => this with { Arguments = [.. Arguments, .. more] };

    /// <summary>The command that runs a .NET application assembly as a new process.</summary>
    /// <param name="assemblyPath">The application's assembly (e.g. <c>memfab.dll</c>); empty in a single-file bundle.</param>
    /// <param name="processPath">This process's executable (<see cref="Environment.ProcessPath"/>).</param>
    /// <param name="dotnetHostPath">The <c>DOTNET_HOST_PATH</c> variable (set by the SDK, e.g. under <c>dotnet test</c>).</param>
    /// <param name="pathVariable">The <c>PATH</c> variable.</param>
    /// <returns>The application's own executable when this process is it (apphost, single file); else the
    /// <c>dotnet</c> host (this process's when it is one, else <c>DOTNET_HOST_PATH</c>, else the first on PATH) with
    /// the assembly.</returns>
    /// <exception cref="FileNotFoundException">No way to start the application was found.</exception>
    public static ProcessCommand ForApplication(string assemblyPath, string? processPath, string? dotnetHostPath, string? pathVariable)
    {
        ArgumentNullException.ThrowIfNull(assemblyPath);
        var processName = processPath is null ? null : Path.GetFileNameWithoutExtension(processPath);
        if (assemblyPath.Length == 0)
        {
            // Single-file: the application is this process's executable.
            return processPath is not null
                ? new ProcessCommand(processPath, [])
                : throw new FileNotFoundException("Cannot start another instance of this application: neither its assembly nor its executable path is known.");
        }

        if (processPath is not null && processName == Path.GetFileNameWithoutExtension(assemblyPath))
        {
            return new ProcessCommand(processPath, []);
        }

        var host = processName == "dotnet" ? processPath
            : !string.IsNullOrEmpty(dotnetHostPath) && File.Exists(dotnetHostPath) ? dotnetHostPath
            : ExecutableSearch.Find("dotnet", pathVariable);
        return host is not null
            ? new ProcessCommand(host, [assemblyPath])
            : throw new FileNotFoundException($"Cannot run {assemblyPath}: no dotnet host (this process is {processPath ?? "unknown"}, DOTNET_HOST_PATH is not set and there is no dotnet on PATH).");
    }
}

/// <summary>Finds executables on <c>PATH</c>, as a shell would.</summary>
public static class ExecutableSearch
{
    /// <summary>The first file named <paramref name="name"/> in the directories of <paramref name="pathVariable"/>.</summary>
    /// <param name="name">The file name (a name with a directory part is returned as it is when the file exists).</param>
    /// <param name="pathVariable">The PATH value (<see cref="Path.PathSeparator"/>-separated).</param>
    /// <returns>Its full path, or <see langword="null"/>.</returns>
    public static string? Find(string name, string? pathVariable)
    {
        var all = FindAll(name, pathVariable);
        return all.Count > 0 ? all[0] : null;
    }

    /// <summary>Every file named <paramref name="name"/> in the directories of <paramref name="pathVariable"/>, in
    /// order, each real file once (a symbolic link and its target count as one).</summary>
    /// <param name="name">The file name.</param>
    /// <param name="pathVariable">The PATH value.</param>
    /// <returns>Full paths.</returns>
    public static IReadOnlyList<string> FindAll(string name, string? pathVariable)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(name) ? [Path.GetFullPath(name)] : [];
        }

        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var directory in (pathVariable ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate;
            try
            {
                candidate = Path.GetFullPath(Path.Combine(directory, name));
            }
            catch (ArgumentException)
            {
                continue;
            }

            if (!File.Exists(candidate) || Directory.Exists(candidate))
            {
                continue;
            }

            if (seen.Add(RealPath(candidate)))
            {
                found.Add(candidate);
            }
        }

        return found;
    }

    /// <summary>The current process's PATH.</summary>
    public static string? CurrentPath => Environment.GetEnvironmentVariable("PATH");

    private static string RealPath(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }
}
