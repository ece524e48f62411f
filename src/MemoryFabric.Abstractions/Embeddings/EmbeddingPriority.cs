using System.Globalization;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>
/// How a caller tells an embedding scheduler (such as the server's <c>PriorityEmbeddingGenerator</c>) what a call is
/// for, through <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>: <see cref="PropertyName"/> holds
/// <see cref="Interactive"/> (a query someone waits for: served first) or <see cref="Background"/> (a batch nobody
/// waits for: served when no query waits), and <see cref="QueueDeadlinePropertyName"/> a <see cref="TimeSpan"/> within
/// which the encoder must start on an interactive call, else the call fails with
/// <see cref="EmbeddingDeadlineExceededException"/>. Generators that schedule nothing ignore both.
/// </summary>
public static class EmbeddingPriority
{
    /// <summary>The additional property that names a call's priority: <c>memoryfabric.priority</c>.</summary>
    public const string PropertyName = "memoryfabric.priority";

    /// <summary>The priority of a call someone waits for (a query, an on-demand embed on the query path):
    /// <c>interactive</c>.</summary>
    public const string Interactive = "interactive";

    /// <summary>The priority of a batch nobody waits for (background dense indexing, consolidation, imports):
    /// <c>background</c>.</summary>
    public const string Background = "background";

    /// <summary>The additional property that holds an interactive call's queue deadline, a <see cref="TimeSpan"/>:
    /// <c>memoryfabric.queue_deadline</c>. If the encoder has not started on the call within it, the call fails with
    /// <see cref="EmbeddingDeadlineExceededException"/>; <see cref="Timeout.InfiniteTimeSpan"/> means no deadline.</summary>
    public const string QueueDeadlinePropertyName = "memoryfabric.queue_deadline";

    /// <summary>New options for an interactive call.</summary>
    /// <param name="queueDeadline">How long the call may wait for the encoder to start on it; none when
    /// <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <returns>The options (a new instance each time: the caller may change them).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The deadline is zero or negative (other than infinite).</exception>
    public static EmbeddingGenerationOptions CreateInteractiveOptions(TimeSpan? queueDeadline = null)
    {
        var properties = new AdditionalPropertiesDictionary { [PropertyName] = Interactive };
        if (queueDeadline is { } deadline && deadline != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(deadline, TimeSpan.Zero, nameof(queueDeadline));
            properties[QueueDeadlinePropertyName] = deadline;
        }

        return new EmbeddingGenerationOptions { AdditionalProperties = properties };
    }

    /// <summary>New options for a background batch.</summary>
    /// <returns>The options (a new instance each time).</returns>
    public static EmbeddingGenerationOptions CreateBackgroundOptions() =>
        new() { AdditionalProperties = new AdditionalPropertiesDictionary { [PropertyName] = Background } };

    /// <summary>The priority a call's options name.</summary>
    /// <param name="options">The call's options.</param>
    /// <returns><see cref="Interactive"/>, <see cref="Background"/>, or <see langword="null"/> when none is named.</returns>
    /// <exception cref="ArgumentException">The property holds something else.</exception>
    public static string? Get(EmbeddingGenerationOptions? options)
    {
        if (options?.AdditionalProperties is not { } properties || !properties.TryGetValue(PropertyName, out var value) || value is null)
        {
            return null;
        }

        return value switch
        {
            string s when string.Equals(s, Interactive, StringComparison.OrdinalIgnoreCase) => Interactive,
            string s when string.Equals(s, Background, StringComparison.OrdinalIgnoreCase) => Background,
            _ => throw new ArgumentException(
                $"The embedding option '{PropertyName}' must be '{Interactive}' or '{Background}'; it is '{Convert.ToString(value, CultureInfo.InvariantCulture)}'.", nameof(options)),
        };
    }

    /// <summary>The queue deadline a call's options carry.</summary>
    /// <param name="options">The call's options.</param>
    /// <returns>The deadline, or <see langword="null"/> when there is none (absent, or infinite).</returns>
    /// <exception cref="ArgumentException">The property holds something other than a positive <see cref="TimeSpan"/>
    /// or <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public static TimeSpan? GetQueueDeadline(EmbeddingGenerationOptions? options)
    {
        if (options?.AdditionalProperties is not { } properties || !properties.TryGetValue(QueueDeadlinePropertyName, out var value) || value is null)
        {
            return null;
        }

        return value switch
        {
            TimeSpan t when t == Timeout.InfiniteTimeSpan => null,
            TimeSpan t when t > TimeSpan.Zero => t,
            _ => throw new ArgumentException(
                $"The embedding option '{QueueDeadlinePropertyName}' must be a positive TimeSpan or Timeout.InfiniteTimeSpan; it is '{Convert.ToString(value, CultureInfo.InvariantCulture)}'.", nameof(options)),
        };
    }
}
