namespace MemoryFabric.Telemetry;

/// <summary>
/// Explicit histogram bucket boundaries suited to Prometheus scraping.
/// </summary>
/// <remarks>
/// The OpenTelemetry SDK's default explicit boundaries
/// (<c>0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000</c>) are designed for
/// milliseconds; a histogram recorded in seconds would put almost every observation into the first
/// one or two buckets. Use <see cref="Seconds"/> (through
/// <see cref="PrometheusTextMeterProviderBuilderExtensions.AddSecondsHistogramView"/> or your own
/// <c>AddView</c>) for any histogram whose unit is <c>s</c>.
/// </remarks>
public static class PrometheusBuckets
{
    private static readonly double[] SecondsBoundaries =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>
    /// Bucket boundaries for latencies recorded in seconds, from 1 ms to 10 s:
    /// <c>0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10</c>
    /// (plus the implicit <c>+Inf</c> bucket).
    /// </summary>
    /// <remarks>
    /// Read-only; copy it for <c>ExplicitBucketHistogramConfiguration.Boundaries</c> with
    /// <c>[.. PrometheusBuckets.Seconds]</c>.
    /// </remarks>
    public static IReadOnlyList<double> Seconds { get; } = Array.AsReadOnly(SecondsBoundaries);
}
