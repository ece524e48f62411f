using System.Diagnostics;

namespace MemoryFabric.Orleans.Diagnostics;

/// <summary>
/// The grains' traces: one span per call a fabric grain answers (<c>memoryfabric.grain.call</c>, shown as
/// <c>{actor type}/{method}</c>), on the activity source <see cref="ActivitySourceName"/>. The caller's trace context
/// crosses the grain call through Orleans' activity propagation (<c>AddActivityPropagation</c>, added by
/// <c>AddMemoryFabric</c>), so a grain call's span is a child of the HTTP request (or grain) that made it.
/// </summary>
public static class FabricGrainTracing
{
    /// <summary>The name of the grains' activity source (<c>MemoryFabric.Grains</c>, the same name as their meter).</summary>
    public const string ActivitySourceName = "MemoryFabric.Grains";

    /// <summary>The grains' activity source.</summary>
    public static ActivitySource Source { get; } = new(ActivitySourceName, typeof(FabricGrainTracing).Assembly.GetName().Version?.ToString());
}

/// <summary>
/// The storage layer's traces, on the activity source <see cref="ActivitySourceName"/>: one span per operation of an
/// <see cref="Storage.IActorStateStore"/> seen by the grains (<c>memoryfabric.storage.load|append|snapshot|clear</c>,
/// from <see cref="InstrumentedActorStateStore"/>) and, in the SQLite store, one span per group commit
/// (<c>memoryfabric.storage.commit</c>) on its writer thread.
/// </summary>
/// <remarks>
/// A group commit serves many callers at once. Its span's parent is the first operation of the group that has a trace
/// context (so a lone write's commit is part of the caller's trace), and it carries one link to every operation of
/// the group that has one (so each caller's trace can find the commit that made its write durable).
/// </remarks>
public static class StorageTracing
{
    /// <summary>The name of the storage layer's activity source (<c>MemoryFabric.Storage</c>).</summary>
    public const string ActivitySourceName = "MemoryFabric.Storage";

    /// <summary>The storage layer's activity source.</summary>
    public static ActivitySource Source { get; } = new(ActivitySourceName, typeof(StorageTracing).Assembly.GetName().Version?.ToString());
}
