using System.Diagnostics;

namespace MemoryFabric.Embeddings;

/// <summary>
/// The encoder's traces: one <see cref="ActivitySource"/> named <see cref="ActivitySourceName"/>, with one span per
/// batch the MiniLM encoder runs (<c>memoryfabric.embeddings.encode</c>, tagged with the batch's texts and tokens),
/// never one per text.
/// </summary>
public static class EmbeddingsTelemetry
{
    /// <summary>The name of the encoder's activity source (<c>MemoryFabric.Embeddings</c>).</summary>
    public const string ActivitySourceName = "MemoryFabric.Embeddings";

    /// <summary>The encoder's activity source.</summary>
    public static ActivitySource Source { get; } = new(ActivitySourceName, typeof(EmbeddingsTelemetry).Assembly.GetName().Version?.ToString());
}
