using MemoryFabric.Diagnostics;
using MemoryFabric.Embeddings;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Diagnostics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MemoryFabric.Server.Hosting;

/// <summary>
/// The server's OpenTelemetry (through <c>OpenTelemetry.Extensions.Hosting</c>): metrics served at <c>GET /metrics</c>
/// by the Prometheus exporter (MemoryFabric's meters, ASP.NET Core's, Kestrel's, HttpClient's, the .NET runtime's and
/// Orleans'), and traces (one activity source per layer, ASP.NET Core and HttpClient instrumentation) exported over
/// OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; without an exporter only the traces a caller samples (its
/// <c>traceparent</c>) are recorded. <see cref="MemoryFabricServerOptions.Tracing"/> turns tracing off.
/// </summary>
public static class ServerTelemetry
{
    /// <summary>The service name traces and metrics carry (<c>service.name</c>) unless <c>OTEL_SERVICE_NAME</c> is set.</summary>
    public const string ServiceName = "memoryfabric-server";

    /// <summary>The meter Orleans publishes its runtime's instruments on.</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>The activity source of Orleans' grain-call spans for application grains (the caller's side and the
    /// grain's side of each call; <c>AddActivityPropagation</c> carries the trace context across the call).</summary>
    public const string OrleansActivitySourceName = "Microsoft.Orleans.Application";

    /// <summary>The meters exposed at <c>/metrics</c>, besides the instrumentation packages' own (ASP.NET Core and
    /// Kestrel, HttpClient, the .NET runtime).</summary>
    public static IReadOnlyList<string> Meters { get; } =
    [
        FabricGrainMetrics.MeterName,
        AgentMemoryMetrics.MeterName,
        MemoryFabric.Orleans.TenantIndex.TenantIndexMetrics.MeterName, // the agents' vector outbox lag
        PriorityEmbeddingGenerator.MeterName, // the query-first encoder scheduler (the local encoders: MiniLM, arctic-xs)
        MemoryFabric.Mcp.Diagnostics.MemoryFabricMcpTelemetry.MeterName,
        OrleansMeterName,
        "Microsoft.AspNetCore.RateLimiting",
    ];

    /// <summary>The activity sources traced: one per layer (grain call, engine, storage, encoder) and Orleans' grain
    /// calls; the HTTP layer's spans come from the ASP.NET Core instrumentation.</summary>
    public static IReadOnlyList<string> ActivitySources { get; } =
    [
        FabricGrainTracing.ActivitySourceName,
        EngineTelemetry.ActivitySourceName,
        StorageTracing.ActivitySourceName,
        EmbeddingsTelemetry.ActivitySourceName,
        MemoryFabric.Mcp.Diagnostics.MemoryFabricMcpTelemetry.ActivitySourceName,
        OrleansActivitySourceName,
    ];

    /// <summary>The histogram bucket boundaries, in seconds, of MemoryFabric's own duration histograms
    /// (<c>memoryfabric.*.duration</c>): 1 ms to 10 s. The SDK's defaults are for milliseconds.</summary>
    public static IReadOnlyList<double> SecondsBuckets { get; } = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The environment variable (or configuration key) that turns on OTLP export of traces.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The environment variable (or configuration key) that chooses the trace sampler (OpenTelemetry's own,
    /// e.g. <c>always_on</c>); without it and without an exporter, only traces sampled by the caller are recorded.</summary>
    public const string SamplerVariable = "OTEL_TRACES_SAMPLER";

    /// <summary>Registers the server's metrics and, unless <c>MemoryFabric:Tracing</c> is false, its traces.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration (<c>MemoryFabric:Tracing</c>, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddServerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var tracing = configuration.GetValue(MemoryFabricServerOptions.SectionName + ":" + nameof(MemoryFabricServerOptions.Tracing), true);
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r =>
            {
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                {
                    r.AddService(ServiceName, serviceVersion: typeof(ServerTelemetry).Assembly.GetName().Version?.ToString());
                }
            })
            .WithMetrics(metrics => metrics
                .AddMeter([.. Meters])
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddView("memoryfabric.*.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [.. SecondsBuckets] })
                .AddPrometheusExporter(o =>
                {
                    o.ScrapeEndpointPath = "/metrics";
                    o.ScopeInfoEnabled = false; // no otel_scope_* labels: the series keep the names and labels they had
                }));
        if (tracing)
        {
            telemetry.WithTracing(traces =>
            {
                traces
                    .AddSource([.. ActivitySources])
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsServicePath(context.Request.Path))
                    .AddHttpClientInstrumentation();
                if (otlp)
                {
                    traces.AddOtlpExporter(); // endpoint, protocol and headers from the OTEL_EXPORTER_OTLP_* variables
                }
                else if (string.IsNullOrWhiteSpace(configuration[SamplerVariable]))
                {
                    // No exporter: a span nobody exports is work for nothing, so only the traces a caller asked for (a
                    // sampled traceparent) are recorded; the others still carry their context through every layer.
                    traces.SetSampler(new ParentBasedSampler(new AlwaysOffSampler()));
                }
            });
        }

        return services;
    }

    // Scrapes and probes are not traced.
    private static bool IsServicePath(PathString path) =>
        path.StartsWithSegments("/metrics", StringComparison.Ordinal)
        || path.StartsWithSegments("/healthz", StringComparison.Ordinal)
        || path.StartsWithSegments("/readyz", StringComparison.Ordinal);
}
