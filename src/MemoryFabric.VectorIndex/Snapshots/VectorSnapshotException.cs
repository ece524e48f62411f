namespace MemoryFabric.VectorIndex;

/// <summary>A snapshot cannot be loaded: it is not a shard snapshot, has an unsupported format version, is truncated,
/// or fails a checksum or a consistency check. The message names the file and what is wrong; a partially valid
/// snapshot is never loaded.</summary>
public sealed class VectorSnapshotException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VectorSnapshotException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public VectorSnapshotException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public VectorSnapshotException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
