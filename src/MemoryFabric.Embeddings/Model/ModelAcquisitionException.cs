namespace MemoryFabric.Embeddings;

/// <summary>The model could not be obtained (no <c>npm</c>, no registry, a failed download). The message says what
/// failed and how to provide the files by hand.</summary>
public sealed class ModelAcquisitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelAcquisitionException()
        : base("The embedding model could not be obtained.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ModelAcquisitionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelAcquisitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
