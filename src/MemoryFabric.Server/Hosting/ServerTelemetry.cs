using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MemoryFabric.Server.Hosting;

/// <summary>The OpenTelemetry meter provider behind <c>GET /metrics</c>: MemoryFabric's meters plus ASP.NET Core's
/// request-duration and Kestrel meters.</summary>
internal sealed class ServerTelemetry : IDisposable
{
    public static readonly string[] Meters =
    [
        MemoryFabric.Orleans.Diagnostics.FabricGrainMetrics.MeterName,
        AgentMemoryMetrics.MeterName,
        "MemoryFabric.Storage.Sqlite",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
    ];

    private readonly MeterProvider _provider;

    public ServerTelemetry(PrometheusTextScraper scraper)
    {
        Scraper = scraper;
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(Meters)
            .AddSecondsHistogramView("memoryfabric.*.duration")
            .AddReader(scraper.Reader)
            .Build();
    }

    public PrometheusTextScraper Scraper { get; }

    public void Dispose() => _provider.Dispose();
}
