namespace MemoryFabric.Orleans.Storage;

/// <summary>A snapshot write found another version stored than the one it expected (optimistic concurrency).</summary>
public sealed class ActorStateConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ActorStateConflictException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ActorStateConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ActorStateConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an actor.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="expected">The version the writer expected.</param>
    /// <param name="actual">The version stored.</param>
    public ActorStateConflictException(ActorId actorId, long expected, long actual)
        : base($"The snapshot of {actorId} is at version {actual}, not {expected}: another writer got there first.")
    {
        ActorId = actorId;
        ExpectedVersion = expected;
        ActualVersion = actual;
    }

    /// <summary>The actor.</summary>
    public ActorId ActorId { get; }

    /// <summary>The version the writer expected.</summary>
    public long ExpectedVersion { get; }

    /// <summary>The version stored.</summary>
    public long ActualVersion { get; }
}
