namespace MemoryFabric.Telemetry;

/// <summary>
/// Options for <see cref="PrometheusTextScraper"/>.
/// </summary>
public sealed class PrometheusTextScraperOptions
{
    /// <summary>
    /// Gets or sets how long a produced exposition is reused for subsequent scrapes.
    /// <see cref="TimeSpan.Zero"/> (the default) collects afresh on every scrape; a small value such as
    /// one second protects the process from scrape storms. Negative values are treated as zero.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.Zero;
}
