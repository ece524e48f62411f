namespace MemoryFabric.Benchmarks;

/// <summary>Where the benchmarks look for the shared datasets when no path is given.</summary>
public static class BenchmarkDatasets
{
    /// <summary>The LoCoMo dev file's path below a <c>shared/</c> folder.</summary>
    public const string LocomoRelativePath = "shared/datasets/locomo/locomo-dev.json";

    /// <summary>The LoCoMo dev file: the first <c>shared/datasets/locomo/locomo-dev.json</c> found in the current
    /// directory or one of its parents (a checkout beside the project's <c>shared/</c> folder finds
    /// <c>../shared/…</c>); else <c>../shared/datasets/locomo/locomo-dev.json</c>, which the benchmarks report as
    /// missing (and fall back to synthetic texts where they can).</summary>
    public static string DefaultLocomoPath
    {
        get
        {
            for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, LocomoRelativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            return Path.Combine("..", LocomoRelativePath);
        }
    }
}
