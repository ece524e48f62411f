using System.Diagnostics.Metrics;
using MemoryFabric.Guard;
using MemoryFabric.Persistence;

namespace MemoryFabric.Orleans.Agents;

/// <summary>The agent-memory instruments (meter <c>MemoryFabric.Agents</c>): turns ingested, searches (and the degraded
/// ones), consolidation
/// durations, dense indexing, and the guard's quarantines, reviews and lessons.</summary>
public sealed class AgentMemoryMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "MemoryFabric.Agents";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _turnsIngested;
    private readonly Counter<long> _queries;
    private readonly Counter<long> _degraded;
    private readonly Counter<long> _notesWritten;
    private readonly Counter<long> _embedded;
    private readonly Histogram<double> _consolidation;
    private readonly Counter<long> _quarantined;
    private readonly Counter<long> _reviews;
    private readonly Counter<long> _lessons;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">The meter factory of the host; a private meter when <see langword="null"/>.</param>
    public AgentMemoryMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _turnsIngested = _meter.CreateCounter<long>("memoryfabric.turns.ingested", "{turn}", "Turns stored (acknowledged, durable).");
        _queries = _meter.CreateCounter<long>("memoryfabric.searches", "{search}", "Searches and context requests served.");
        _degraded = _meter.CreateCounter<long>("memoryfabric.search.degraded", "{search}",
            "Searches and context requests answered from lexical signals alone because the embedder could not start on the query within its deadline, by operation.");
        _notesWritten = _meter.CreateCounter<long>("memoryfabric.notes.written", "{note}", "Note writes through the API (add, update, delete, purge, import).");
        _embedded = _meter.CreateCounter<long>("memoryfabric.embeddings.indexed", "{item}", "Items embedded and added to the dense index after their write was acknowledged.");
        _consolidation = _meter.CreateHistogram<double>(
            "memoryfabric.consolidation.duration", "s", "Duration of a consolidation (segmentation, extraction, merging, decay and the snapshot).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _quarantined = _meter.CreateCounter<long>("memoryfabric.guard.quarantined", "{item}", "Items the guard flagged and quarantined, by detector (instruction-screen, lesson, consensus, manual).");
        _reviews = _meter.CreateCounter<long>("memoryfabric.guard.reviews", "{item}", "Quarantined items a reviewer released or confirmed, by decision.");
        _lessons = _meter.CreateCounter<long>("memoryfabric.guard.lessons", "{lesson}", "Guard lessons learned from confirmed detections or revoked, by event.");
    }

    internal void TurnsIngested(int count) => _turnsIngested.Add(count);

    internal void Query(string operation) => _queries.Add(1, new KeyValuePair<string, object?>("operation", operation));

    internal void Degraded(string operation) => _degraded.Add(1, new KeyValuePair<string, object?>("operation", operation));

    internal void NotesWritten(int count, string operation) => _notesWritten.Add(count, new KeyValuePair<string, object?>("operation", operation));

    internal void Embedded(int count) => _embedded.Add(count);

    internal void Consolidated(TimeSpan duration, string trigger) =>
        _consolidation.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("trigger", trigger));

    // Counts the guard's changes in a drained change feed: new flags, reviews and lessons.
    internal void GuardChanges(IReadOnlyList<MemoryChange> changes)
    {
        foreach (var change in changes)
        {
            switch (change)
            {
                case QuarantineChanged { Entry: { Status: QuarantineStatus.Flagged } entry }:
                    var detector = entry.Detector.StartsWith("lesson:", StringComparison.Ordinal) ? "lesson" : entry.Detector;
                    _quarantined.Add(1, new KeyValuePair<string, object?>("detector", detector));
                    break;
                case QuarantineChanged { Entry.Status: QuarantineStatus.Released }:
                    _reviews.Add(1, new KeyValuePair<string, object?>("decision", "released"));
                    break;
                case QuarantineChanged { Entry.Status: QuarantineStatus.Confirmed }:
                    _reviews.Add(1, new KeyValuePair<string, object?>("decision", "confirmed"));
                    break;
                case LessonChanged lesson:
                    _lessons.Add(1, new KeyValuePair<string, object?>("event", lesson.Lesson.Revoked ? "revoked" : "learned"));
                    break;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
