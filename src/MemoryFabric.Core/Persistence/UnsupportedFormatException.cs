namespace MemoryFabric.Persistence;

/// <summary>Stored data (an agent's snapshot or a journal entry) is of a format version newer than this build reads:
/// it was written by a newer MemoryFabric. Nothing is wrong with the data; run that version, or restore a backup taken
/// for this one. The readers throw it as the inner exception of an <see cref="InvalidDataException"/> (a stream this
/// build cannot read) with the same message, so that whoever catches that still does; <see cref="Find"/> tells the
/// two cases apart. A version no build wrote (0) or damaged data has no inner exception of this type.</summary>
public sealed class UnsupportedFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="format">What the data is (e.g. "agent memory snapshot").</param>
    /// <param name="version">Its format version.</param>
    /// <param name="newestSupported">The newest format version this build reads.</param>
    public UnsupportedFormatException(string format, int version, int newestSupported)
        : base($"{format} has format version {version}, written by a newer MemoryFabric; this build reads versions 1 to {newestSupported}.")
    {
        Format = format;
        Version = version;
        NewestSupported = newestSupported;
    }

    /// <summary>Creates the exception.</summary>
    public UnsupportedFormatException()
        : this("stored data", 0, 0)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public UnsupportedFormatException(string message)
        : base(message)
    {
        Format = "stored data";
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public UnsupportedFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Format = "stored data";
    }

    /// <summary>The <see cref="InvalidDataException"/> a reader throws: this exception's message, and this exception inside.</summary>
    /// <returns>The exception to throw.</returns>
    public InvalidDataException AsInvalidData() => new(Message, this);

    /// <summary>What a caller is told (the HTTP API's and the Orleans client SDK's 500 <c>unsupported-format</c>
    /// problem): the message and what to do.</summary>
    public string ProblemDetail =>
        $"{Message} Run that release (or a newer one) on this data, or restore a backup taken for this one; nothing was changed.";

    /// <summary>What the data is.</summary>
    public string Format { get; }

    /// <summary>Its format version.</summary>
    public int Version { get; }

    /// <summary>The newest format version this build reads.</summary>
    public int NewestSupported { get; }

    /// <summary>The exception itself or the first one of its kind among its inner exceptions (the reader's
    /// <see cref="InvalidDataException"/>, a grain call or the grain storage bridge wrap it).</summary>
    /// <param name="exception">The exception caught.</param>
    /// <returns>The exception, or <see langword="null"/>.</returns>
    public static UnsupportedFormatException? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is UnsupportedFormatException found)
            {
                return found;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Count == 1)
            {
                return Find(aggregate.InnerExceptions[0]);
            }
        }

        return null;
    }
}
