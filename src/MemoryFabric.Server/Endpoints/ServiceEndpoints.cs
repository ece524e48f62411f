using MemoryFabric.Server.Hosting;
using MemoryFabric.Server.Http;
using MemoryFabric.Telemetry;

namespace MemoryFabric.Server.Endpoints;

/// <summary>Health, readiness and metrics (no key needed).</summary>
internal static class ServiceEndpoints
{
    public static void MapServiceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => AgentEndpoints.Json(new { status = "ok" })).WithTags("Service").ExcludeFromDescription();

        app.MapGet("/readyz", (HttpContext context, ReadinessState readiness) => readiness.IsReady
            ? AgentEndpoints.Json(new { status = "ready" })
            : Problems.Result(context, StatusCodes.Status503ServiceUnavailable, "not-ready", "Not ready", "The server is starting or stopping."))
            .WithTags("Service").ExcludeFromDescription();

        app.MapGet("/metrics", async (HttpContext context, PrometheusTextScraper scraper) =>
        {
            var text = await scraper.ScrapeAsync(context.RequestAborted).ConfigureAwait(false);
            return Results.Text(text, PrometheusTextScraper.ContentType);
        }).WithTags("Service").ExcludeFromDescription();
    }
}
