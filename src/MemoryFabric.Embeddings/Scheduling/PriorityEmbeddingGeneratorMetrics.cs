using System.Diagnostics.Metrics;

namespace MemoryFabric.Embeddings;

/// <summary>The instruments of <see cref="PriorityEmbeddingGenerator"/> (meter
/// <see cref="PriorityEmbeddingGenerator.MeterName"/>).</summary>
internal sealed class PriorityEmbeddingGeneratorMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _wait;
    private readonly Counter<long> _deadlineMissed;
    private readonly Counter<long> _refused;

    public PriorityEmbeddingGeneratorMetrics(IMeterFactory? meterFactory, Func<int> interactiveQueued, Func<int> backgroundQueued)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(PriorityEmbeddingGenerator.MeterName) ?? new Meter(PriorityEmbeddingGenerator.MeterName);
        _meter.CreateObservableGauge("memoryfabric.embeddings.interactive.queued", interactiveQueued, "{call}",
            "Interactive embedding calls (queries) waiting for the encoder.");
        _meter.CreateObservableGauge("memoryfabric.embeddings.background.queued", backgroundQueued, "{text}",
            "Texts of background embedding batches waiting for the encoder.");
        _wait = _meter.CreateHistogram<double>("memoryfabric.embeddings.interactive.wait", "s",
            "How long an interactive embedding call waited before the encoder started on it.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
        _deadlineMissed = _meter.CreateCounter<long>("memoryfabric.embeddings.interactive.deadline_missed", "{call}",
            "Interactive embedding calls the encoder did not start within their queue deadline.");
        _refused = _meter.CreateCounter<long>("memoryfabric.embeddings.interactive.refused", "{call}",
            "Interactive embedding calls refused at once because the encoder's queue was full.");
    }

    public void Waited(TimeSpan wait) => _wait.Record(wait.TotalSeconds);

    public void DeadlineMissed() => _deadlineMissed.Add(1);

    public void Refused() => _refused.Add(1);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
