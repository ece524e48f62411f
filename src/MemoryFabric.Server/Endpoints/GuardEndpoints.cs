using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Api;
using MemoryFabric.Guard;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;

namespace MemoryFabric.Server.Endpoints;

/// <summary>The guard's routes, with a tenant key: an agent's quarantine (list, release, confirm) and lessons (list,
/// revoke) under <c>/v1/agents/{agent}</c>, and the tenant's guard switch and relation groups under
/// <c>/v1/guard</c>. The tenant comes from the key only, as for every agent route.</summary>
internal static partial class GuardEndpoints
{
    public static void MapGuardEndpoints(this IEndpointRouteBuilder app)
    {
        MapAgentRoutes(app.MapGroup("/v1/agents/{agent}").WithTags("Guard"));
        MapTenantRoutes(app.MapGroup("/v1/guard").WithTags("Guard"));
    }

    private static void MapAgentRoutes(RouteGroupBuilder agents)
    {
        agents.MapGet("/quarantine", async (HttpContext context, string agent, string? status) =>
        {
            QuarantineStatus? only = null;
            if (status is not null)
            {
                only = ParseStatus(status) ?? throw RequestRejectedException.Invalid(
                    $"'status' is one of flagged, confirmed and released; '{Clip(status)}' was given.");
            }

            var entries = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetQuarantineAsync(ct)).ConfigureAwait(false);
            var items = only is { } wanted ? entries.Where(e => e.Status == wanted).ToList() : entries;
            return AgentEndpoints.Json(new QuarantineList(items));
        }).WithSummary("Lists the guard's quarantine (flagged, confirmed and released items), oldest first.").Produces<QuarantineList>().RequireAuthorization(ScopePolicies.Read);

        agents.MapPost("/quarantine/{itemId}/release", async (HttpContext context, string agent, string itemId) =>
        {
            CheckId(itemId, "item id");
            var released = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.ReleaseAsync(itemId, ct)).ConfigureAwait(false);
            return released
                ? AgentEndpoints.Json(new ReleaseResult(itemId, QuarantineStatus.Released))
                : Problems.NotFound(context, $"No quarantined item '{itemId}' (it was never quarantined, or is released already).");
        }).WithSummary("Releases a quarantined item back into retrieval.").Produces<ReleaseResult>().RequireAuthorization(ScopePolicies.Guard);

        agents.MapPost("/quarantine/{itemId}/confirm", async (HttpContext context, string agent, string itemId) =>
        {
            CheckId(itemId, "item id");
            var lesson = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.ConfirmAsync(itemId, ct)).ConfigureAwait(false);
            return lesson is null
                ? Problems.NotFound(context, $"No turn, note or episode has the id '{itemId}'.")
                : AgentEndpoints.Json(lesson);
        }).WithSummary("Confirms an item as poisoned (quarantining it if it was not) and returns the lesson distilled from it.").Produces<GuardLesson>().RequireAuthorization(ScopePolicies.Guard);

        agents.MapGet("/lessons", async (HttpContext context, string agent) =>
        {
            var lessons = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetLessonsAsync(ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(new LessonList(lessons));
        }).WithSummary("Lists the guard's lessons, revoked ones included.").Produces<LessonList>().RequireAuthorization(ScopePolicies.Read);

        agents.MapDelete("/lessons/{lessonId}", async (HttpContext context, string agent, string lessonId) =>
        {
            CheckId(lessonId, "lesson id");
            var revoked = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.RevokeLessonAsync(lessonId, ct)).ConfigureAwait(false);
            return revoked ? Results.NoContent() : Problems.NotFound(context, $"No active lesson '{lessonId}'.");
        }).WithSummary("Revokes a lesson: it no longer catches anything (what it quarantined stays quarantined).").RequireAuthorization(ScopePolicies.Guard);
    }

    private static void MapTenantRoutes(RouteGroupBuilder guard)
    {
        guard.MapGet("", async (HttpContext context) =>
        {
            var settings = await TenantGuard(context, (g, ct) => g.GetSettingsAsync(ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(settings);
        }).WithSummary("The tenant's guard settings: on or off, and the relation groups.").Produces<TenantGuardSettings>().RequireAuthorization(ScopePolicies.Read);

        guard.MapPut("", async (HttpContext context) =>
        {
            var request = await JsonBody.ReadAsync<SetGuardRequest>(context).ConfigureAwait(false);
            if (request.Enabled is not { } enabled)
            {
                return Problems.BadRequest(context, "'enabled' (true or false) is required.");
            }

            var settings = await TenantGuard(context, (g, ct) => g.SetEnabledAsync(enabled, ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(settings);
        }).WithSummary("Turns the guard on or off for the tenant's agents (each picks it up within 30 s).").Produces<TenantGuardSettings>().RequireAuthorization(ScopePolicies.Guard);

        guard.MapGet("/groups", async (HttpContext context) =>
        {
            var settings = await TenantGuard(context, (g, ct) => g.GetSettingsAsync(ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(new RelationGroupList(settings.Groups));
        }).WithSummary("Lists the tenant's relation groups.").Produces<RelationGroupList>().RequireAuthorization(ScopePolicies.Read);

        guard.MapPut("/groups/{group}/members/{agent}", async (HttpContext context, string group, string agent) =>
        {
            CheckGroup(group);
            AgentCalls.ActorKey(context, agent); // checks the agent's name
            var result = await TenantGuard(context, (g, ct) => g.AddMemberAsync(group, agent, ct)).ConfigureAwait(false);
            await RefreshAsync(context, agent).ConfigureAwait(false);
            return AgentEndpoints.Json(result);
        }).WithSummary("Adds an agent to a relation group (creating the group); the agent shares its trusted claims at once.").Produces<RelationGroup>().RequireAuthorization(ScopePolicies.Guard);

        guard.MapDelete("/groups/{group}/members/{agent}", async (HttpContext context, string group, string agent) =>
        {
            CheckGroup(group);
            AgentCalls.ActorKey(context, agent);
            var removed = await TenantGuard(context, (g, ct) => g.RemoveMemberAsync(group, agent, ct)).ConfigureAwait(false);
            if (!removed)
            {
                return Problems.NotFound(context, $"'{agent}' is not a member of the relation group '{group}'.");
            }

            await RefreshAsync(context, agent).ConfigureAwait(false);
            return Results.NoContent();
        }).WithSummary("Removes an agent from a relation group (an empty group goes away).").RequireAuthorization(ScopePolicies.Guard);
    }

    private static Task<T> TenantGuard<T>(HttpContext context, Func<ITenantGuardGrain, CancellationToken, Task<T>> call)
    {
        var caller = context.Features.Get<CallerIdentity>() ?? throw new InvalidOperationException("The request was not authenticated.");
        var tenant = caller.Tenant ?? throw new InvalidOperationException("The guard routes need a tenant key.");
        return call(context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<ITenantGuardGrain>(tenant), context.RequestAborted);
    }

    // The membership change is durable already; the refresh only makes the agent see it now rather than within
    // AgentMemoryGrainOptions.GuardPolicyRefresh. A failure is logged, not reported: the agent catches up by itself.
    private static async Task RefreshAsync(HttpContext context, string agent)
    {
        try
        {
            await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.RefreshGuardAsync(ct)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GuardEndpoints));
            LogRefreshFailed(logger, e, agent);
        }
    }

    private static QuarantineStatus? ParseStatus(string value) => value.Trim().ToUpperInvariant() switch
    {
        "FLAGGED" => QuarantineStatus.Flagged,
        "CONFIRMED" => QuarantineStatus.Confirmed,
        "RELEASED" => QuarantineStatus.Released,
        _ => null,
    };

    private static void CheckGroup(string group)
    {
        if (!AgentNames.IsValid(group))
        {
            throw RequestRejectedException.Invalid($"A relation group name is {AgentNames.Rule}.");
        }
    }

    private static void CheckId(string id, string what)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 256)
        {
            throw RequestRejectedException.Invalid($"The {what} is 1 to 256 characters, as returned by the API.");
        }
    }

    private static string Clip(string value) => value.Length > 32 ? value[..32] + "…" : value;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The guard policy of agent {Agent} could not be refreshed; it picks the change up within its refresh period")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string agent);
}
