namespace MemoryFabric.OpenAI;

/// <summary>
/// An OpenAI-compatible endpoint answered with a success status but a response this adapter cannot use: not JSON,
/// missing fields, fewer embeddings than inputs, vectors of the wrong size. HTTP errors are not wrapped: they surface
/// as the SDK's <see cref="System.ClientModel.ClientResultException"/>, whose message carries the status and the
/// server's error message.
/// </summary>
public sealed class OpenAICompatibleResponseException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OpenAICompatibleResponseException()
        : base("The OpenAI-compatible endpoint returned a malformed response.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong with the response.</param>
    public OpenAICompatibleResponseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong with the response.</param>
    /// <param name="innerException">The parse error.</param>
    public OpenAICompatibleResponseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether an exception thrown while reading a response means the response was malformed.</summary>
    internal static bool IsParseError(Exception exception) =>
        exception is System.Text.Json.JsonException
            or FormatException
            or InvalidOperationException
            or KeyNotFoundException
            or ArgumentException
            or IndexOutOfRangeException
            or NullReferenceException
            or InvalidCastException;
}
