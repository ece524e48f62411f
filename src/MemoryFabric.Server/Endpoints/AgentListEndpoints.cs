using System.Globalization;
using MemoryFabric.Api;
using MemoryFabric.Orleans.Agents.Catalog;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;
using Microsoft.Extensions.Primitives;

namespace MemoryFabric.Server.Endpoints;

/// <summary><c>GET /v1/agents</c>: the caller's tenant's agents, a page at a time, ordered by name, each with its card
/// (counts, approximate stored size, last write). The tenant comes from the key only.</summary>
internal static class AgentListEndpoints
{
    public static void MapAgentListEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/agents", async (HttpContext context) =>
        {
            var tenant = context.Features.Get<CallerIdentity>()?.Tenant ?? throw new InvalidOperationException("The request was not authenticated with a tenant key.");
            var cursor = Single(context, "cursor");
            var prefix = Single(context, "prefix");
            var limit = Limit(Single(context, "limit"));
            _ = AgentListQuery.Parse(cursor, limit, prefix); // a 400 naming the parameter before any grain is called
            var grains = context.RequestServices.GetRequiredService<IGrainFactory>();
            var page = await grains.GetGrain<IAgentListGrain>(tenant).ListAsync(cursor, limit, prefix, context.RequestAborted).ConfigureAwait(false);
            return AgentEndpoints.Json(page);
        })
        .WithTags("Agents")
        .WithSummary("Lists the tenant's agents by name, a page at a time (?cursor=&limit=&prefix=), with their counts, size and last write.")
        .Produces<AgentPage>()
        .RequireAuthorization(ScopePolicies.Read);
    }

    // A query parameter given at most once.
    private static string? Single(HttpContext context, string name)
    {
        var values = context.Request.Query.TryGetValue(name, out var v) ? v : StringValues.Empty;
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => throw RequestRejectedException.Invalid($"'{name}' is given {values.Count} times; give it once."),
        };
    }

    private static int? Limit(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit)
            ? limit
            : throw RequestRejectedException.Invalid($"'limit' must be a whole number from 1 to {AgentListQuery.MaxLimit} (default {AgentListQuery.DefaultLimit}).");
    }
}
