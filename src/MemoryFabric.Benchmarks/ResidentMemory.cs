using System.Globalization;
using System.Text.Json.Serialization;

namespace MemoryFabric.Benchmarks;

/// <summary>A process's resident set as Linux reports it in <c>/proc/&lt;pid&gt;/status</c>, split into anonymous pages
/// (heaps, stacks, JIT code: only swap can take them away) and file-backed pages (mapped files, shared libraries, the
/// page cache of a memory-mapped file: the kernel can drop clean ones and read them again).</summary>
/// <param name="TotalBytes">VmRSS.</param>
/// <param name="AnonBytes">RssAnon.</param>
/// <param name="FileBytes">RssFile.</param>
/// <param name="ShmemBytes">RssShmem (shared memory, tmpfs).</param>
public sealed record ResidentMemory(
    [property: JsonPropertyName("total_bytes")] long TotalBytes,
    [property: JsonPropertyName("anon_bytes")] long AnonBytes,
    [property: JsonPropertyName("file_bytes")] long FileBytes,
    [property: JsonPropertyName("shmem_bytes")] long ShmemBytes)
{
    /// <summary>The status file of this process.</summary>
    public const string SelfStatusPath = "/proc/self/status";

    /// <summary>Parses the text of a <c>/proc/&lt;pid&gt;/status</c> file (values in kB).</summary>
    /// <param name="status">The file's text.</param>
    /// <returns>The figures, or <see langword="null"/> when VmRSS, RssAnon or RssFile is missing (not Linux, or a
    /// kernel older than 4.5).</returns>
    public static ResidentMemory? Parse(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        long? total = null, anon = null, file = null, shmem = null;
        foreach (var line in status.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            if (name is not ("VmRSS" or "RssAnon" or "RssFile" or "RssShmem"))
            {
                continue;
            }

            var parts = line[(colon + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var bytes = parts.Length > 1 && parts[1].Equals("kB", StringComparison.OrdinalIgnoreCase) ? value * 1024 : value;
            switch (name)
            {
                case "VmRSS": total = bytes; break;
                case "RssAnon": anon = bytes; break;
                case "RssFile": file = bytes; break;
                default: shmem = bytes; break;
            }
        }

        return total is { } t && anon is { } a && file is { } f ? new ResidentMemory(t, a, f, shmem ?? 0) : null;
    }

    /// <summary>Reads this process's figures.</summary>
    /// <returns>The figures, or <see langword="null"/> where <c>/proc/self/status</c> does not give them.</returns>
    public static ResidentMemory? ReadSelf()
    {
        try
        {
            return File.Exists(SelfStatusPath) ? Parse(File.ReadAllText(SelfStatusPath)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A full, blocking, compacting collection that also returns the freed memory to the operating system, so
    /// that the resident set read next holds live data (not garbage, nor free space the GC has yet to decommit).</summary>
    /// <returns>The bytes of live managed objects afterwards.</returns>
    public static long SettleHeap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    /// <summary>The growth from <paramref name="before"/> to <paramref name="after"/>, when both were read.</summary>
    /// <param name="before">The earlier figures, or none.</param>
    /// <param name="after">The later figures, or none.</param>
    /// <returns><paramref name="after"/> minus <paramref name="before"/>, or <see langword="null"/>.</returns>
    public static ResidentMemory? Growth(ResidentMemory? before, ResidentMemory? after) =>
        before is null || after is null ? null : after.Minus(before);

    /// <summary>The growth from <paramref name="before"/> to this.</summary>
    /// <param name="before">The earlier figures.</param>
    /// <returns>This minus <paramref name="before"/>, field by field.</returns>
    public ResidentMemory Minus(ResidentMemory before)
    {
        ArgumentNullException.ThrowIfNull(before);
        return new ResidentMemory(TotalBytes - before.TotalBytes, AnonBytes - before.AnonBytes, FileBytes - before.FileBytes, ShmemBytes - before.ShmemBytes);
    }
}
