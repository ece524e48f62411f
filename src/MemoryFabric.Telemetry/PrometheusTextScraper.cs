using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using OpenTelemetry.Metrics;

namespace MemoryFabric.Telemetry;

/// <summary>
/// Produces a Prometheus text exposition (format 0.0.4) of the metrics of one OpenTelemetry
/// <c>MeterProvider</c>, collecting on demand (pull) each time it is scraped.
/// </summary>
/// <remarks>
/// <para>Register <see cref="Reader"/> with exactly one meter provider, then serve
/// <see cref="ScrapeAsync"/> from an HTTP endpoint:</para>
/// <code>
/// var scraper = new PrometheusTextScraper(new PrometheusTextScraperOptions { CacheDuration = TimeSpan.FromSeconds(1) });
/// var provider = Sdk.CreateMeterProviderBuilder()
///     .AddMeter("MemoryFabric.*", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
///     .AddReader(scraper.Reader)
///     .Build();
/// app.MapGet("/metrics", async (CancellationToken ct) =>
///     Results.Text(await scraper.ScrapeAsync(ct), PrometheusTextScraper.ContentType));
/// </code>
/// <para>Scrapes are thread-safe and never block a thread while they wait: collections are serialized (a scrape
/// awaits the one before it, so concurrent scrapes never interleave), each runs on a pool thread of its own while its
/// caller only awaits it, so a caller whose token is cancelled returns at once, even during a slow collection (which
/// completes in the background). With <see cref="PrometheusTextScraperOptions.CacheDuration"/> set, scrapes within
/// that window reuse the previous exposition. The meter provider owns (and disposes) <see cref="Reader"/>; scraping
/// after the provider has been disposed throws <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
[SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "The exporter belongs to Reader, which the MeterProvider disposes; the SemaphoreSlim never allocates a wait handle.")]
public sealed class PrometheusTextScraper
{
    /// <summary>The HTTP <c>Content-Type</c> of the exposition: Prometheus text format 0.0.4, UTF-8.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly PrometheusTextExporter exporter = new();
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly long cacheTicks;
    private string? cached;
    private long cachedAt;

    /// <summary>
    /// Initializes a new instance of the <see cref="PrometheusTextScraper"/> class.
    /// </summary>
    /// <param name="options">Scrape options; <see langword="null"/> uses the defaults (no caching).</param>
    public PrometheusTextScraper(PrometheusTextScraperOptions? options = null)
    {
        var cache = options?.CacheDuration ?? TimeSpan.Zero;
        this.cacheTicks = cache > TimeSpan.Zero ? (long)(cache.TotalSeconds * Stopwatch.Frequency) : 0;
        this.Reader = new BaseExportingMetricReader(this.exporter)
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
        };
    }

    /// <summary>
    /// Gets the pull metric reader to register with a meter provider
    /// (<c>MeterProviderBuilder.AddReader(scraper.Reader)</c>). Temporality is cumulative, as Prometheus requires.
    /// </summary>
    public MetricReader Reader { get; }

    /// <summary>
    /// Collects the current metrics and returns them as Prometheus text (every line ends with <c>\n</c>;
    /// empty when nothing has been recorded).
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for a concurrent scrape or for the collection (which then
    /// completes in the background).</param>
    /// <returns>The exposition, to be sent with <see cref="ContentType"/>.</returns>
    /// <exception cref="ObjectDisposedException">The reader was disposed with its meter provider.</exception>
    /// <exception cref="InvalidOperationException">The collection failed.</exception>
    public async Task<string> ScrapeAsync(CancellationToken cancellationToken = default)
    {
        await this.gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task<string> collection;
        try
        {
            // Observable callbacks run synchronously inside the collection: on a pool thread of its own, which
            // releases the gate when it is done, so that this caller only awaits it.
            collection = Task.Run(
                () =>
                {
                    try
                    {
                        return this.CollectLocked();
                    }
                    finally
                    {
                        this.gate.Release();
                    }
                },
                CancellationToken.None);
        }
        catch
        {
            this.gate.Release();
            throw;
        }

        return await collection.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private string CollectLocked()
    {
        var now = Stopwatch.GetTimestamp();
        if (this.cached is not null && now - this.cachedAt < this.cacheTicks)
        {
            return this.cached;
        }

        var collect = this.exporter.Collect
            ?? throw new ObjectDisposedException(nameof(PrometheusTextScraper), "The metric reader has been disposed (was its MeterProvider disposed?).");

        // Runs observable callbacks and exports synchronously on this thread into exporter.Latest.
        if (!collect(Timeout.Infinite))
        {
            throw new InvalidOperationException("OpenTelemetry metric collection failed.");
        }

        this.cached = this.exporter.Latest;
        this.cachedAt = Stopwatch.GetTimestamp();
        return this.cached;
    }
}
