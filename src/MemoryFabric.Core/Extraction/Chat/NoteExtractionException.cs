namespace MemoryFabric.Extraction;

/// <summary>Thrown when a note extractor cannot make sense of its model's output.</summary>
public sealed class NoteExtractionException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public NoteExtractionException()
        : base("Note extraction failed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public NoteExtractionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public NoteExtractionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
