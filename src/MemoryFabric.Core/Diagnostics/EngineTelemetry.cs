using System.Diagnostics;

namespace MemoryFabric.Diagnostics;

/// <summary>
/// The engine's traces: one <see cref="ActivitySource"/> named <see cref="ActivitySourceName"/>, with one span per
/// operation of an <see cref="AgentMemory"/> (ingest, consolidate, search, context, embedding of pending items) and one
/// per retrieval stage (query embedding, candidates, ranking, packing). Spans are coarse (never one per item); with no
/// listener, starting one costs a branch and returns <see langword="null"/>.
/// </summary>
public static class EngineTelemetry
{
    /// <summary>The name of the engine's activity source (<c>MemoryFabric.Engine</c>).</summary>
    public const string ActivitySourceName = "MemoryFabric.Engine";

    /// <summary>The engine's activity source.</summary>
    public static ActivitySource Source { get; } = new(ActivitySourceName, typeof(EngineTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Starts an operation's span (a child of <see cref="Activity.Current"/>), or returns
    /// <see langword="null"/> when nobody listens.</summary>
    /// <param name="name">The span's name, e.g. <c>memoryfabric.engine.ingest</c>.</param>
    /// <returns>The span, to dispose when the operation ends.</returns>
    internal static Activity? Start(string name) => Source.StartActivity(name, ActivityKind.Internal);

    /// <summary>Ends one stage's span and starts the next one's (a sibling: the child of the operation's span).</summary>
    /// <param name="previous">The stage that ends, or <see langword="null"/>.</param>
    /// <param name="next">The stage that starts, or <see langword="null"/> to start none.</param>
    /// <returns>The new stage's span, or <see langword="null"/>.</returns>
    internal static Activity? NextStage(Activity? previous, string? next)
    {
        previous?.Dispose(); // Activity.Current goes back to the operation's span
        return next is null ? null : Source.StartActivity(next, ActivityKind.Internal);
    }
}
