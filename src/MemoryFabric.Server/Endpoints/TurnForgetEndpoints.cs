using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;

namespace MemoryFabric.Server.Endpoints;

/// <summary>Forgetting turns: <c>DELETE /v1/agents/{agent}/turns/{turnId}</c> and the batch
/// <c>POST /v1/agents/{agent}/turns/forget</c> (scope <c>forget</c>). Each answers once the turns are gone from the
/// memory and from the store's files.</summary>
internal static class TurnForgetEndpoints
{
    public static void MapTurnForgetEndpoints(this RouteGroupBuilder agents)
    {
        agents.MapDelete("/turns/{turnId}", async (HttpContext context, string agent, string turnId) =>
        {
            var result = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.ForgetTurnsAsync([turnId], ct)).ConfigureAwait(false);
            return result.ForgottenTurnIds.Count == 0
                ? Problems.NotFound(context, $"No turn with id '{turnId}'.")
                : AgentEndpoints.Json(result);
        }).WithTags("Agents").WithSummary("Forgets a turn for good: its episode is redacted, notes drawn only from it removed, its text purged from storage.")
            .Produces<TurnForgetResult>().RequireAuthorization(ScopePolicies.Forget);

        agents.MapPost("/turns/forget", async (HttpContext context, string agent) =>
        {
            var request = await JsonBody.ReadAsync<ForgetTurnsRequest>(context).ConfigureAwait(false);
            if (request.TurnIds is null || request.TurnIds.Count == 0)
            {
                return Problems.BadRequest(context, "'turnIds' must hold at least one turn id.");
            }

            if (request.TurnIds.Count > TurnForgetResult.MaxTurnIds)
            {
                return Problems.BadRequest(context, $"A forget holds at most {TurnForgetResult.MaxTurnIds} turn ids; this one has {request.TurnIds.Count}. Split it.");
            }

            if (request.TurnIds.Any(string.IsNullOrWhiteSpace))
            {
                return Problems.BadRequest(context, "'turnIds' must not hold a blank id.");
            }

            var ids = request.TurnIds;
            var result = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.ForgetTurnsAsync(ids, ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(result);
        }).WithTags("Agents").WithSummary("Forgets a batch of turns for good (unknown ids are listed in unknownTurnIds).")
            .Produces<TurnForgetResult>().RequireAuthorization(ScopePolicies.Forget);
    }
}
