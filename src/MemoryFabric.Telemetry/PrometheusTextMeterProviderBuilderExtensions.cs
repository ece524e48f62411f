using OpenTelemetry.Metrics;

namespace MemoryFabric.Telemetry;

/// <summary>
/// <see cref="MeterProviderBuilder"/> extensions for the Prometheus text exposition.
/// </summary>
public static class PrometheusTextMeterProviderBuilderExtensions
{
    /// <summary>
    /// Creates a <see cref="PrometheusTextScraper"/> and registers its pull reader with the builder.
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <param name="scraper">The created scraper; serve <see cref="PrometheusTextScraper.ScrapeAsync"/> at <c>/metrics</c>.</param>
    /// <param name="options">Scrape options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder, for chaining.</returns>
    public static MeterProviderBuilder AddPrometheusTextExporter(
        this MeterProviderBuilder builder,
        out PrometheusTextScraper scraper,
        PrometheusTextScraperOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        scraper = new PrometheusTextScraper(options);
        return builder.AddReader(scraper.Reader);
    }

    /// <summary>
    /// Adds a view that gives the histograms whose instrument names match
    /// <paramref name="instrumentNamePattern"/> the <see cref="PrometheusBuckets.Seconds"/> boundaries
    /// instead of the SDK's millisecond-oriented defaults. Non-histogram instruments matching the pattern
    /// are unaffected.
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <param name="instrumentNamePattern">
    /// An instrument name, or a pattern with <c>*</c> / <c>?</c> wildcards, e.g. <c>"memoryfabric.*.duration"</c>.
    /// Instruments matched by several views produce several streams, so keep patterns disjoint; ASP.NET Core's
    /// <c>http.server.request.duration</c> already advises seconds buckets and needs no view.
    /// </param>
    /// <returns>The builder, for chaining.</returns>
    public static MeterProviderBuilder AddSecondsHistogramView(this MeterProviderBuilder builder, string instrumentNamePattern)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(instrumentNamePattern);
        return builder.AddView(
            instrumentNamePattern,
            new ExplicitBucketHistogramConfiguration { Boundaries = [.. PrometheusBuckets.Seconds] });
    }
}
