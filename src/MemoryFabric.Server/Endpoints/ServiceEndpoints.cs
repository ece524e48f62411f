using MemoryFabric.Server.Hosting;
using MemoryFabric.Server.Http;

namespace MemoryFabric.Server.Endpoints;

/// <summary>Health, readiness and metrics (no key needed).</summary>
internal static class ServiceEndpoints
{
    public static void MapServiceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => AgentEndpoints.Json(new { status = "ok" })).WithTags("Service").ExcludeFromDescription().AllowAnonymous();

        app.MapGet("/readyz", (HttpContext context, ReadinessState readiness) => readiness.IsReady
            ? AgentEndpoints.Json(new { status = "ready" })
            : Problems.Result(context, StatusCodes.Status503ServiceUnavailable, "not-ready", "Not ready", "The server is starting or stopping."))
            .WithTags("Service").ExcludeFromDescription().AllowAnonymous();

        // The OpenTelemetry Prometheus exporter (text format 0.0.4, or OpenMetrics when the scraper asks for it).
        app.MapPrometheusScrapingEndpoint("/metrics").WithTags("Service").ExcludeFromDescription().AllowAnonymous();
    }
}
