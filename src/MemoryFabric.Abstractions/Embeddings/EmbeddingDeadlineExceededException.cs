using System.Globalization;

namespace MemoryFabric.Embeddings;

/// <summary>
/// An interactive embedding call was not started within its queue deadline
/// (<see cref="EmbeddingPriority.QueueDeadlinePropertyName"/>): the encoder was busy with other work, and the call
/// left the queue without reaching it. The caller can answer without the vector (the engine then ranks a query on
/// its lexical signals and marks the answer degraded) or try again.
/// </summary>
/// <remarks>The deadline is kept in <see cref="Exception.Data"/> as well, so it survives Orleans' exception codec
/// (which carries the message and the data) across silos.</remarks>
public sealed class EmbeddingDeadlineExceededException : TimeoutException
{
    private const string DeadlineKey = "MemoryFabric.EmbeddingDeadline.Deadline";

    /// <summary>Creates the exception.</summary>
    public EmbeddingDeadlineExceededException()
        : base("The encoder did not start on the embedding call within its queue deadline.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EmbeddingDeadlineExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EmbeddingDeadlineExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a call that waited out its deadline.</summary>
    /// <param name="deadline">The call's queue deadline.</param>
    public EmbeddingDeadlineExceededException(TimeSpan deadline)
        : base(string.Create(CultureInfo.InvariantCulture, $"The encoder did not start on the embedding call within its queue deadline of {deadline.TotalMilliseconds:0.###} ms."))
    {
        Data[DeadlineKey] = deadline.Ticks;
    }

    /// <summary>The call's queue deadline, when known.</summary>
    public TimeSpan? Deadline => Data[DeadlineKey] switch
    {
        long ticks => TimeSpan.FromTicks(ticks),
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks) => TimeSpan.FromTicks(ticks),
        _ => null,
    };
}
