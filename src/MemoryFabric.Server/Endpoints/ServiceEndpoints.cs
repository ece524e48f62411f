using MemoryFabric.Server.Hosting;
using MemoryFabric.Server.Http;

namespace MemoryFabric.Server.Endpoints;

/// <summary>Health, readiness and metrics (no key needed).</summary>
internal static class ServiceEndpoints
{
    public static void MapServiceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => AgentEndpoints.Json(new { status = "ok" })).WithTags("Service").ExcludeFromDescription().AllowAnonymous();

        app.MapGet("/readyz", (HttpContext context, ReadinessState readiness) => NotReady(context, readiness.Reasons) ?? AgentEndpoints.Json(new { status = "ready" }))
            .WithTags("Service").ExcludeFromDescription().AllowAnonymous();

        // The OpenTelemetry Prometheus exporter (text format 0.0.4, or OpenMetrics when the scraper asks for it).
        app.MapPrometheusScrapingEndpoint("/metrics").WithTags("Service").ExcludeFromDescription().AllowAnonymous();
    }

    // 503 problem+json naming every reason (reasons: ["storage-full"], say), or null when ready.
    private static IResult? NotReady(HttpContext context, IReadOnlyList<string> reasons)
    {
        if (reasons.Count == 0)
        {
            return null;
        }

        var problem = Problems.Create(context, StatusCodes.Status503ServiceUnavailable, "not-ready", "Not ready", string.Join(' ', reasons.Select(ReadinessState.Describe)));
        problem.Extensions["reasons"] = reasons;
        return TypedResults.Json(problem, MemoryFabric.Serialization.MemoryFabricJson.Options, Problems.ContentType, StatusCodes.Status503ServiceUnavailable);
    }
}
