using System.Globalization;
using System.Text;

namespace MemoryFabric.Storage.Sqlite;

/// <summary>
/// One owner per data directory: an exclusive OS lock on <c>memoryfabric.lock</c> in the directory, held open for as
/// long as this process uses the directory. The embedded server (through <see cref="SqliteActorStore"/>) and every
/// <c>memfab</c> command that opens a data directory take it before they open anything there; a second process is
/// refused at once with <see cref="DataDirectoryInUseException"/>, which names the process that holds it.
/// </summary>
/// <remarks>
/// <para>The lock is the file opened with <see cref="FileShare.None"/>: <c>flock(LOCK_EX)</c> on Linux and macOS, a
/// share-nothing handle on Windows. The operating system releases it when the process ends, however it ends, so a lock
/// file left behind by a killed process never blocks a restart: only a live holder does.</para>
/// <para>Ownership is per process: acquiring a directory this process holds already returns another lease on the same
/// lock (the store and <c>memfab --local</c> share it), and the lock is released with the last lease.
/// Nothing else may open the lock file: on Linux and macOS any other open of it (even to read) is refused while it is
/// held. The holder's process id, host name and start time are written to the lock file (for <c>cat</c>) and to
/// <c>memoryfabric.lock.owner</c>, which a refused process reads to name the holder.</para>
/// </remarks>
public sealed class DataDirectoryLock : IDisposable
{
    /// <summary>The lock file's name in the data directory.</summary>
    public const string FileName = "memoryfabric.lock";

    /// <summary>The name of the file that names the holder (readable while the lock is held).</summary>
    public const string OwnerFileName = "memoryfabric.lock.owner";

    private static readonly Dictionary<string, Holder> Held = new(OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    private readonly Holder _holder;
    private int _disposed;

    private DataDirectoryLock(Holder holder)
    {
        _holder = holder;
    }

    /// <summary>The full path of the data directory.</summary>
    public string Directory => _holder.Directory;

    /// <summary>Takes the lock on a data directory (creating the directory when missing), or another lease on it when
    /// this process holds it already. Never waits.</summary>
    /// <param name="directory">The data directory.</param>
    /// <returns>The lease; dispose it to give it up (the lock is released with the last lease).</returns>
    /// <exception cref="DataDirectoryInUseException">Another process holds the directory.</exception>
    /// <exception cref="InvalidOperationException">The directory or the lock file cannot be created or opened.</exception>
    public static DataDirectoryLock Acquire(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        lock (Gate)
        {
            if (Held.TryGetValue(full, out var holder))
            {
                holder.Leases++;
                return new DataDirectoryLock(holder);
            }

            holder = new Holder(full, Open(full));
            Held.Add(full, holder);
            return new DataDirectoryLock(holder);
        }
    }

    /// <summary>Who holds a data directory's lock, as its holder wrote it (<c>pid=…, host=…, since=…</c>), or
    /// <see langword="null"/> when nobody wrote it (or it cannot be read).</summary>
    /// <param name="directory">The data directory.</param>
    /// <returns>The holder's description.</returns>
    public static string? ReadOwner(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        try
        {
            var text = File.ReadAllText(Path.Combine(Path.GetFullPath(directory), OwnerFileName)).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Gives up this lease; the lock is released with the last one.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (Gate)
        {
            if (--_holder.Leases > 0)
            {
                return;
            }

            Held.Remove(_holder.Directory);
            _holder.Stream.Dispose(); // the file stays: a lock file nobody holds blocks nobody
        }
    }

    private static FileStream Open(string directory)
    {
        var path = Path.Combine(directory, FileName);
        FileStream stream;
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            var owner = ReadOwner(directory);
            throw new DataDirectoryInUseException(directory, owner, OwnerProcessId(owner), e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InvalidOperationException($"Cannot lock the data directory '{directory}' ({path}): {e.Message}", e);
        }

        WriteOwner(stream, directory);
        return stream;
    }

    // Best effort: on a full disk the owner cannot be written, and that must not stop the owner from starting.
    private static void WriteOwner(FileStream stream, string directory)
    {
        var owner = string.Create(
            CultureInfo.InvariantCulture,
            $"pid={Environment.ProcessId} host={Environment.MachineName} since={DateTimeOffset.UtcNow:O}");
        var bytes = Encoding.UTF8.GetBytes(owner + "\n");
        try
        {
            stream.SetLength(0);
            stream.Write(bytes);
            stream.Flush();
        }
        catch (IOException)
        {
        }

        var ownerPath = Path.Combine(directory, OwnerFileName);
        var temporary = ownerPath + ".tmp";
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, ownerPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    // EWOULDBLOCK from flock (Linux 11, macOS 35: the BCL puts the errno in HResult), or Windows' sharing / lock
    // violation (ERROR_SHARING_VIOLATION 32, ERROR_LOCK_VIOLATION 33).
    private static bool IsHeldElsewhere(IOException e) =>
        OperatingSystem.IsWindows()
            ? (e.HResult & 0xFFFF) is 32 or 33
            : e.HResult == (OperatingSystem.IsLinux() ? 11 : 35) && e is not FileNotFoundException and not DirectoryNotFoundException;

    private static int? OwnerProcessId(string? owner)
    {
        if (owner is null || !owner.StartsWith("pid=", StringComparison.Ordinal))
        {
            return null;
        }

        var end = owner.IndexOf(' ', StringComparison.Ordinal);
        return int.TryParse(end < 0 ? owner[4..] : owner[4..end], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    private sealed class Holder(string directory, FileStream stream)
    {
        public string Directory { get; } = directory;

        public FileStream Stream { get; } = stream;

        public int Leases { get; set; } = 1;
    }
}
