namespace MemoryFabric.Storage.Sqlite;

/// <summary>Another process holds the data directory's lock (<see cref="DataDirectoryLock"/>): this one must not open
/// anything there. The message names the directory and, where it could be read, the holder.</summary>
public sealed class DataDirectoryInUseException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="directory">The data directory.</param>
    /// <param name="owner">The holder as it described itself (<c>pid=… host=… since=…</c>), when known.</param>
    /// <param name="ownerProcessId">The holder's process id, when known.</param>
    /// <param name="innerException">The operating system's refusal.</param>
    public DataDirectoryInUseException(string directory, string? owner, int? ownerProcessId, Exception? innerException = null)
        : base(Describe(directory, owner, ownerProcessId), innerException)
    {
        Directory = directory;
        Owner = owner;
        OwnerProcessId = ownerProcessId;
    }

    /// <summary>The data directory.</summary>
    public string Directory { get; }

    /// <summary>The holder as it described itself, when known.</summary>
    public string? Owner { get; }

    /// <summary>The holder's process id, when known.</summary>
    public int? OwnerProcessId { get; }

    private static string Describe(string directory, string? owner, int? pid)
    {
        var holder = pid is { } id
            ? $"process {id}" + (owner is null ? "" : $" ({owner})")
            : "another process (it did not say which)";
        return $"The data directory '{directory}' is in use by {holder}: only one process may use a data directory at a time. "
            + "Stop that process first, or use another data directory.";
    }
}
