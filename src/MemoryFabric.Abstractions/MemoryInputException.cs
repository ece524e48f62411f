namespace MemoryFabric;

/// <summary>Input a caller handed the memory that it refuses (an invalid turn, note, query, identifier, trust level,
/// tenant, key or group name); nothing is stored. The HTTP API answers it with a 400 that carries its message.</summary>
/// <remarks>
/// It is an <see cref="ArgumentException"/>, so code that catches those keeps working, but only this type (and
/// <see cref="MemoryItemNotFoundException"/>) says "the caller's request was wrong": a plain
/// <see cref="ArgumentException"/> from anywhere is a bug, which the server reports as an internal error. It keeps its
/// type across Orleans silos (the fabric's exceptions travel through Orleans' exception codec).
/// </remarks>
public sealed class MemoryInputException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public MemoryInputException()
        : base("The memory refused the input.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong with the input, in words the caller can act on.</param>
    public MemoryInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong with the input.</param>
    /// <param name="innerException">The cause.</param>
    public MemoryInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a message and the parameter that carried the input.</summary>
    /// <param name="message">What is wrong with the input.</param>
    /// <param name="paramName">The parameter.</param>
    public MemoryInputException(string message, string? paramName)
        : base(message, paramName)
    {
    }

    /// <summary>Creates the exception with a message, the parameter that carried the input and a cause.</summary>
    /// <param name="message">What is wrong with the input.</param>
    /// <param name="paramName">The parameter.</param>
    /// <param name="innerException">The cause.</param>
    public MemoryInputException(string message, string? paramName, Exception? innerException)
        : base(message, paramName, innerException)
    {
    }

    /// <summary>The message without the " (Parameter '…')" suffix .NET appends: the parameter is the engine's, not a
    /// field of the caller's request. (Across Orleans silos the suffix arrives as part of the message, without
    /// <see cref="ArgumentException.ParamName"/>; it is cut either way.)</summary>
    public string Reason
    {
        get
        {
            var message = Message;
            var cut = message.EndsWith("')", StringComparison.Ordinal) ? message.LastIndexOf(" (Parameter '", StringComparison.Ordinal) : -1;
            return cut > 0 ? message[..cut] : message;
        }
    }

    /// <summary>Throws when <paramref name="value"/> is <see langword="null"/>, empty or white space.</summary>
    /// <param name="value">The caller's value, e.g. an item id.</param>
    /// <param name="paramName">The parameter.</param>
    /// <exception cref="MemoryInputException">The value is blank.</exception>
    public static void ThrowIfBlank([System.Diagnostics.CodeAnalysis.NotNull] string? value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new MemoryInputException($"The {paramName ?? "value"} must not be blank.", paramName);
        }
    }
}
