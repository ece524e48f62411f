namespace MemoryFabric.Evaluation.Datasets;

/// <summary>A dataset file is missing, is not JSON, or does not have a known shape. The message names the file and
/// what is wrong.</summary>
public sealed class DatasetFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DatasetFormatException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the file.</param>
    public DatasetFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the file.</param>
    /// <param name="innerException">The underlying error.</param>
    public DatasetFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
