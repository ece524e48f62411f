namespace MemoryFabric.Benchmarks.Http;

/// <summary>Drops Linux's page cache (<c>sync; echo 3 &gt; /proc/sys/vm/drop_caches</c>) so that a fresh server reads its
/// data directory, and its own assemblies, from the disk.</summary>
internal static class PageCache
{
    /// <summary>The kernel's knob.</summary>
    public const string DropCachesPath = "/proc/sys/vm/drop_caches";

    /// <summary>Writes dirty pages out, then drops the clean page cache, dentries and inodes.</summary>
    /// <param name="dropCachesPath">The knob (<see cref="DropCachesPath"/>; another path in tests).</param>
    /// <param name="cancellationToken">Cancels the sync.</param>
    /// <returns><see langword="null"/> when the cache was dropped; else why not (not root, a read-only /proc in a
    /// container, not Linux).</returns>
    public static async Task<string?> TryDropAsync(string dropCachesPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(dropCachesPath))
        {
            return $"{dropCachesPath} does not exist";
        }

        if (ExecutableSearch.Find("sync", ExecutableSearch.CurrentPath) is { } sync)
        {
            try
            {
                await ExternalProcess.RunAsync(sync, [], null, null, null, 1, cancellationToken).ConfigureAwait(false);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Dropping still frees the clean pages.
            }
        }

        try
        {
            await File.WriteAllTextAsync(dropCachesPath, "3\n", cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write {dropCachesPath}: {e.Message}";
        }
    }
}
