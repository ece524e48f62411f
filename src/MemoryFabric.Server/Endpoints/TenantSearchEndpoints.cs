using MemoryFabric.Api;
using MemoryFabric.Orleans.Resilience;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;

namespace MemoryFabric.Server.Endpoints;

/// <summary><c>POST /v1/search</c>: a dense search over every agent of the caller's tenant through the tenant's sharded
/// vector index (<see cref="ITenantSearchGrain"/>). The tenant comes from the key only: the search grain is keyed by
/// it, and so are the shards it reaches, so no request can search another tenant.</summary>
internal static class TenantSearchEndpoints
{
    public static IEndpointRouteBuilder MapTenantSearchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/search", async (HttpContext context) =>
        {
            var request = await JsonBody.ReadAsync<TenantSearchRequest>(context).ConfigureAwait(false);
            TenantSearchRequests.Validate(request); // 400 before any grain is called
            var caller = context.Features.Get<CallerIdentity>() ?? throw new InvalidOperationException("The request was not authenticated.");
            var tenant = caller.Tenant ?? throw new RequestRejectedException(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "A tenant-wide search needs a tenant's key.");
            var grain = context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<ITenantSearchGrain>(tenant);
            var retry = context.RequestServices.GetRequiredService<ClusterCallRetry>();
            try
            {
                var response = await retry.InvokeAsync(ct => grain.SearchAsync(request, ct), idempotent: true, context.RequestAborted).ConfigureAwait(false);
                return AgentEndpoints.Json(response);
            }
            catch (Exception e) when (ClusterCallRetry.IsTransient(e))
            {
                throw new RequestRejectedException(StatusCodes.Status503ServiceUnavailable, "search-unavailable", "The tenant index is unavailable",
                    "A silo that holds part of the tenant's index cannot be reached (in a cluster: it is being replaced); retry after the Retry-After delay.", e);
            }
        }).WithTags("Search")
          .WithSummary("Dense search over every agent of the tenant (or some agents, a relation group), merged from the tenant's vector shards; each hit names its agent.")
          .Produces<TenantSearchResponse>()
          .RequireAuthorization(ScopePolicies.Read);
        return app;
    }
}
