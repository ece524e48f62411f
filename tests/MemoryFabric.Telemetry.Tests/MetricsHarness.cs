using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MemoryFabric.Telemetry.Tests;

/// <summary>A meter with a unique name (outside "MemoryFabric.*", which the end-to-end test listens to), a meter provider listening to it (and "name.*"), and a scraper.</summary>
internal sealed class MetricsHarness : IDisposable
{
    public MetricsHarness(Action<MeterProviderBuilder>? configure = null, PrometheusTextScraperOptions? options = null)
    {
        this.MeterName = "TelemetryTests." + Guid.NewGuid().ToString("N");
        this.Meter = new Meter(this.MeterName);
        this.Scraper = new PrometheusTextScraper(options);
        var builder = Sdk.CreateMeterProviderBuilder()
            .AddMeter(this.MeterName, this.MeterName + ".*")
            .AddReader(this.Scraper.Reader);
        configure?.Invoke(builder);
        this.Provider = builder.Build();
    }

    public string MeterName { get; }

    public Meter Meter { get; }

    public MeterProvider Provider { get; }

    public PrometheusTextScraper Scraper { get; }

    /// <summary>Scrapes and checks the output against the line-format checker (synchronously, for the tests' brevity:
    /// the test thread waits, no scrape competes with it).</summary>
    public string Scrape()
    {
        var text = this.Scraper.ScrapeAsync().GetAwaiter().GetResult();
        ExpositionChecker.AssertValid(text);
        return text;
    }

    public void Dispose()
    {
        this.Provider.Dispose();
        this.Meter.Dispose();
    }
}
