using System.Runtime.InteropServices;

namespace MemoryFabric.Embeddings;

/// <summary>Lowers the scheduling priority of the calling thread: on Linux its nice value (a thread is a task there,
/// with a nice value of its own; raising it needs no privilege), on Windows <see cref="ThreadPriority.BelowNormal"/>.
/// Elsewhere nothing changes.</summary>
internal static partial class ThreadNiceness
{
    private const int PrioProcess = 0;

    /// <summary>Sets the calling thread's nice value to <paramref name="niceness"/> (Linux) or its priority below
    /// normal (Windows).</summary>
    /// <param name="niceness">The nice value, 1–19.</param>
    /// <returns>Whether the system took it.</returns>
    public static bool TryLowerCurrent(int niceness)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                return setpriority(PrioProcess, gettid(), niceness) == 0;
            }

            if (OperatingSystem.IsWindows())
            {
                Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
                return true;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException)
        {
            // A C library without gettid (glibc before 2.30): the thread keeps its priority.
        }

        return false;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setpriority(int which, int who, int prio);

    [LibraryImport("libc")]
    private static partial int gettid();
}
