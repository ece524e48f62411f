using System.Diagnostics.Tracing;

namespace MemoryFabric.Benchmarks.Http;

/// <summary>
/// Every garbage-collection pause of this process while it listens: from the runtime's own events (keyword GC), the
/// time between suspending the threads for a collection (<c>GCSuspendEEBegin</c>) and resuming them
/// (<c>GCRestartEEEnd</c>). <see cref="GC.GetTotalPauseDuration"/> gives the sum; a latency tail needs the longest.
/// The runtime delivers its events to listeners on a thread of its own, shortly after they happen: read the pauses
/// after <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class GcPauseLog : EventListener, IAsyncDisposable
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const long GcKeyword = 0x1;
    private const int SuspendBeginId = 9;
    private const int RestartEndId = 3;

    private readonly Lock _lock = new();
    private readonly List<double> _pausesMs = [];
    private DateTime? _suspendedAt;
    private bool _stopped;

    /// <summary>The pauses recorded, in milliseconds, in the order they ended.</summary>
    public IReadOnlyList<double> PausesMs
    {
        get
        {
            lock (_lock)
            {
                return [.. _pausesMs];
            }
        }
    }

    /// <summary>Stops recording after giving the runtime a moment to deliver the events already written.</summary>
    /// <returns>A task that completes when the log is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await Task.Delay(TimeSpan.FromMilliseconds(1500)).ConfigureAwait(false);
        lock (_lock)
        {
            _stopped = true;
        }

        Dispose();
    }

    /// <summary>Summarizes the pauses: how many, the longest, and how many lasted at least
    /// <paramref name="longMs"/>.</summary>
    /// <param name="longMs">The length from which a pause counts as long.</param>
    /// <returns>The summary.</returns>
    public GcPauseSummary Summarize(double longMs)
    {
        var pauses = PausesMs;
        return new GcPauseSummary
        {
            Count = pauses.Count,
            MaxMs = pauses.Count == 0 ? 0 : Math.Round(pauses.Max(), 1),
            LongMs = longMs,
            LongCount = pauses.Count(p => p >= longMs),
            LongTotalMs = Math.Round(pauses.Where(p => p >= longMs).Sum(), 1),
        };
    }

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)GcKeyword);
        }
    }

    /// <inheritdoc />
    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            switch (eventData.EventId)
            {
                case SuspendBeginId:
                    _suspendedAt = eventData.TimeStamp;
                    break;
                case RestartEndId when _suspendedAt is { } suspended:
                    _pausesMs.Add((eventData.TimeStamp - suspended).TotalMilliseconds);
                    _suspendedAt = null;
                    break;
            }
        }
    }
}
