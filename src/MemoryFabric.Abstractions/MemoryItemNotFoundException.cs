namespace MemoryFabric;

/// <summary>A caller named an item the memory does not hold: a note (or not an active one), a turn, a quarantine item
/// or a lesson. The HTTP API answers it with a 404 that carries its message.</summary>
/// <remarks>
/// It is a <see cref="KeyNotFoundException"/>, so code that catches those keeps working, but only this type (and
/// <see cref="MemoryInputException"/>) says "the caller's request was wrong": a plain <see cref="KeyNotFoundException"/>
/// from anywhere (a dictionary lookup that should not have failed) is a bug, which the server reports as an internal
/// error. It keeps its type across Orleans silos.
/// </remarks>
public sealed class MemoryItemNotFoundException : KeyNotFoundException
{
    /// <summary>Creates the exception.</summary>
    public MemoryItemNotFoundException()
        : base("The memory holds no such item.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was not found, naming the id.</param>
    public MemoryItemNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was not found.</param>
    /// <param name="innerException">The cause.</param>
    public MemoryItemNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
