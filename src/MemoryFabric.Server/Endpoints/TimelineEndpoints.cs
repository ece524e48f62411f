using System.Globalization;
using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;

namespace MemoryFabric.Server.Endpoints;

/// <summary>The timeline routes of an agent, all paged (<c>cursor</c>, <c>limit</c>): its sessions, its episodes, its
/// turns one by one, and its activity over time. A page's <c>nextCursor</c> is the id of the next page's first item,
/// so a listing can also start at a known turn, episode or session.</summary>
internal static class TimelineEndpoints
{
    public static void MapTimelineEndpoints(this RouteGroupBuilder agents)
    {
        agents.MapGet("/sessions", async (HttpContext context, string agent, string? cursor, string? limit) =>
        {
            var size = Limit(limit);
            var page = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetSessionPageAsync(cursor, size, ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(page);
        }).WithTags("Timeline").WithSummary("Lists the agent's sessions, oldest first, a page at a time.").Produces<SessionList>().RequireAuthorization(ScopePolicies.Read);

        agents.MapGet("/episodes", async (HttpContext context, string agent, string? session, string? turn, string? cursor, string? limit) =>
        {
            var size = Limit(limit);
            var page = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetEpisodePageAsync(session, turn, cursor, size, ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(page);
        }).WithTags("Timeline").WithSummary("Lists the agent's episodes in conversation order, a page at a time (of a session, or the one holding a turn).").Produces<EpisodeList>().RequireAuthorization(ScopePolicies.Read);

        agents.MapGet("/turns/{turnId}", async (HttpContext context, string agent, string turnId) =>
        {
            var turn = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetTurnAsync(turnId, ct)).ConfigureAwait(false);
            return turn is null ? Problems.NotFound(context, $"No turn with id '{Clip(turnId)}'.") : AgentEndpoints.Json(turn);
        }).WithTags("Timeline").WithSummary("Gets one turn.").Produces<Turn>().RequireAuthorization(ScopePolicies.Read);

        agents.MapGet("/activity", async (HttpContext context, string agent, string? buckets) =>
        {
            var count = Number(buckets, "buckets", 1, TimelinePaging.MaxBuckets) ?? TimelinePaging.DefaultBuckets;
            var activity = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetActivityAsync(count, ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(activity);
        }).WithTags("Timeline").WithSummary("Counts turns and notes over time, in equal intervals.").Produces<AgentActivity>().RequireAuthorization(ScopePolicies.Read);
    }

    /// <summary>Reads a <c>limit</c> query value: 1 to <see cref="TimelinePaging.MaxLimit"/>, or none.</summary>
    /// <param name="value">The value as sent.</param>
    /// <returns>The limit, or <see langword="null"/> when none was sent.</returns>
    public static int? Limit(string? value) => Number(value, "limit", 1, TimelinePaging.MaxLimit);

    private static int? Number(string? value, string name, int min, int max)
    {
        if (value is null)
        {
            return null;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw RequestRejectedException.Invalid($"'{name}' is a whole number from {min} to {max}; '{Clip(value)}' was given.");
        }

        return number;
    }

    private static string Clip(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
