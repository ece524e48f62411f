namespace MemoryFabric.Orleans.Storage;

/// <summary>The store refused a write because it has no space left (a full disk or volume under the SQLite database,
/// an Azure Storage account or container that refuses writes for lack of capacity): nothing of the write was stored.
/// The condition is temporary: the same write succeeds once space is freed or the volume is grown (the server answers
/// 507 Insufficient Storage and reports itself not ready until a write succeeds again).</summary>
public sealed class StorageFullException : Exception
{
    /// <summary>What a caller is told (the HTTP API's and the Orleans client SDK's 507 <c>storage-full</c> problem).</summary>
    public const string ProblemDetail =
        "Storage is full: nothing of this request was stored. Writes resume by themselves once space is freed (or the volume grown); reads keep working.";

    /// <summary>Creates the exception.</summary>
    public StorageFullException()
        : base("The store has no space left; nothing was stored.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public StorageFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the store's own error.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause (e.g. SQLite's <c>SQLITE_FULL</c>, Azure's 507).</param>
    public StorageFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Finds a <see cref="StorageFullException"/> in an exception or its inner exceptions (a grain storage
    /// provider or a grain call may wrap it).</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>The storage-full exception, or <see langword="null"/>.</returns>
    public static StorageFullException? Find(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 16; depth++)
        {
            switch (exception)
            {
                case StorageFullException full:
                    return full;
                case AggregateException aggregate when aggregate.InnerExceptions.Count == 1:
                    exception = aggregate.InnerExceptions[0];
                    break;
                default:
                    exception = exception.InnerException;
                    break;
            }
        }

        return null;
    }
}
