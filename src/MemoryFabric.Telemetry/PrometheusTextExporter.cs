using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MemoryFabric.Telemetry;

/// <summary>
/// Pull-only OpenTelemetry metric exporter that renders each exported batch as Prometheus text
/// (format 0.0.4) and keeps the latest rendering for <see cref="PrometheusTextScraper"/>.
/// </summary>
/// <remarks>
/// Wrapped in a <see cref="BaseExportingMetricReader"/>, which assigns <see cref="Collect"/>. A pull-only
/// reader exports only when collection is started through that delegate; <c>MeterProvider.ForceFlush</c>
/// and provider shutdown do not export (they return <see langword="false"/> for this reader, as with
/// OpenTelemetry's own Prometheus exporter).
/// </remarks>
[ExportModes(ExportModes.Pull)]
internal sealed class PrometheusTextExporter : BaseExporter<Metric>, IPullMetricExporter
{
    private readonly Lock sync = new();
    private string latest = string.Empty;

    /// <summary>Gets or sets the collect delegate, assigned (and cleared on dispose) by the reader.</summary>
    public Func<int, bool>? Collect { get; set; }

    /// <summary>Gets the exposition produced by the most recent export.</summary>
    public string Latest
    {
        get
        {
            lock (this.sync)
            {
                return this.latest;
            }
        }
    }

    /// <inheritdoc />
    public override ExportResult Export(in Batch<Metric> batch)
    {
        var text = PrometheusTextSerializer.Serialize(batch);
        lock (this.sync)
        {
            this.latest = text;
        }

        return ExportResult.Success;
    }
}
