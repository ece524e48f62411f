using System.Diagnostics;

namespace MemoryFabric.Deploy.Tests;

/// <summary>Paths in the repository and the external tools (yamllint, kubectl, helm) the tests drive.</summary>
internal static class Repo
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MemoryFabric.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"MemoryFabric.sln not found above {AppContext.BaseDirectory}");
    });

    public static string Root => RootPath.Value;

    public static string Chart => Path.Combine(Root, "charts", "memory-fabric");

    public static string Deploy => Path.Combine(Root, "deploy");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Where <c>.ci/run</c> installs the tools it fetches from package registries (git-ignored).</summary>
    public static string LocalTools => Path.Combine(Root, ".ci", ".tools", "bin");

    /// <summary>The full path of an executable named by an environment variable, on PATH, or installed by
    /// <c>.ci/run</c> into <c>.ci/.tools/bin</c>, in that order; or null. A variable that names a missing file is an
    /// error, not a miss.</summary>
    public static string? FindTool(string name, string? overrideVariable = null)
    {
        if (overrideVariable is not null && Environment.GetEnvironmentVariable(overrideVariable) is { Length: > 0 } explicitPath)
        {
            return File.Exists(explicitPath) ? explicitPath : throw new FileNotFoundException($"{overrideVariable} points at a missing file", explicitPath);
        }

        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in dirs.Append(LocalTools))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The tool, as <see cref="FindTool"/> finds it; when it is not there the calling
    /// <c>[SkippableFact]</c> is reported as skipped, with <paramref name="howToGet"/> in the reason.</summary>
    public static string RequireTool(string name, string overrideVariable, string howToGet)
    {
        var path = FindTool(name, overrideVariable);
        Skip.If(path is null, $"{name} not found ({overrideVariable} unset, not on PATH, not in .ci/.tools/bin): {howToGet}");
        return path!;
    }

    public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
    }

    /// <summary>Runs a tool from the repository root and waits for it (at most two minutes).</summary>
    public static ToolResult Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish in 2 minutes");
        }

        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
