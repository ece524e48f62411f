namespace MemoryFabric.Orleans.Storage;

/// <summary>The store refused a write because its queue of writes waiting to be committed is full: nothing of the
/// write was stored, and the same write may be retried shortly (the server answers 503 with <c>Retry-After</c>).</summary>
public sealed class StorageBusyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageBusyException()
        : base("The store's queue of writes is full; nothing was stored. Retry shortly.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public StorageBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public StorageBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
