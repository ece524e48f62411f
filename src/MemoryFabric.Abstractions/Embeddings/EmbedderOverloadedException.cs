using System.Globalization;

namespace MemoryFabric.Embeddings;

/// <summary>
/// An interactive embedding call was refused at once because the encoder's queue of interactive calls is full:
/// nothing was queued, and the call may be retried after <see cref="RetryAfter"/>. The server answers it with 503 and
/// <c>Retry-After</c> instead of letting requests wait in a long queue.
/// </summary>
/// <remarks>The suggested delay is kept in <see cref="Exception.Data"/> as well, so it survives Orleans' exception
/// codec (which carries the message and the data) across silos.</remarks>
public sealed class EmbedderOverloadedException : Exception
{
    private const string RetryAfterKey = "MemoryFabric.EmbedderOverloaded.RetryAfter";

    /// <summary>Creates the exception.</summary>
    public EmbedderOverloadedException()
        : base("The encoder's queue is full; nothing was queued. Retry shortly.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EmbedderOverloadedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EmbedderOverloadedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a message and a suggested delay before retrying.</summary>
    /// <param name="message">The message.</param>
    /// <param name="retryAfter">When to retry.</param>
    public EmbedderOverloadedException(string message, TimeSpan retryAfter)
        : base(message)
    {
        Data[RetryAfterKey] = retryAfter.Ticks;
    }

    /// <summary>The suggested delay before retrying; one second when none was given.</summary>
    public TimeSpan RetryAfter => Data[RetryAfterKey] switch
    {
        long ticks => TimeSpan.FromTicks(ticks),
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks) => TimeSpan.FromTicks(ticks),
        _ => TimeSpan.FromSeconds(1),
    };
}
