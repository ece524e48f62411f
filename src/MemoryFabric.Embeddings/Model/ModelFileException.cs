namespace MemoryFabric.Embeddings;

/// <summary>A model file is missing, has the wrong size or the wrong SHA-256 digest. The message names the file.</summary>
public sealed class ModelFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelFileException()
        : this("A model file is missing or corrupted.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ModelFileException(string message)
        : this(message, filePath: string.Empty)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates the exception for one file.</summary>
    /// <param name="message">The message; it should name the file.</param>
    /// <param name="filePath">The full path of the file.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ModelFileException(string message, string filePath, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The full path of the missing or corrupted file.</summary>
    public string FilePath { get; }
}
