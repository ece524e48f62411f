using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;
using MemoryFabric.Serialization;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;

namespace MemoryFabric.Server.Endpoints;

/// <summary>The agent routes: the listing (<see cref="AgentListEndpoints"/>), turns, search, context, consolidation,
/// purge.</summary>
internal static class AgentEndpoints
{
    public static RouteGroupBuilder MapAgentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapAgentListEndpoints(); // GET /v1/agents
        var agents = app.MapGroup("/v1/agents/{agent}").WithTags("Agents");

        agents.MapPost("/turns", async (HttpContext context, string agent) =>
        {
            var request = await JsonBody.ReadAsync<IngestTurnsRequest>(context).ConfigureAwait(false);
            if (request.Turns is null || request.Turns.Count == 0)
            {
                return Problems.BadRequest(context, "'turns' must hold at least one turn.");
            }

            var limit = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<MemoryFabricServerOptions>>().Value.MaxBatchSize;
            if (request.Turns.Count > limit)
            {
                return Problems.BadRequest(context, $"A batch holds at most {limit} turns; this one has {request.Turns.Count}. Split it (MemoryFabric:MaxBatchSize).");
            }

            var turns = Security.TrustCap.Apply(context, request.Turns); // a capped key never writes a strong source
            // Tried again while the agent's silo is unreachable only when every turn has an id: then a second run
            // stores nothing twice.
            var idempotent = turns.All(t => !string.IsNullOrEmpty(t.Id));
            var result = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.IngestAsync(turns, ct), idempotent).ConfigureAwait(false);
            return Json(result);
        }).WithSummary("Stores a batch of turns; acknowledged once durable.").Produces<IngestResult>().RequireAuthorization(ScopePolicies.Write);

        agents.MapGet("/turns", async (HttpContext context, string agent, string? session, string? episode, string? cursor, string? limit) =>
        {
            var size = TimelineEndpoints.Limit(limit); // paged when limit or cursor is given (TimelineEndpoints)
            var page = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetTurnPageAsync(session, episode, cursor, size, ct)).ConfigureAwait(false);
            return Json(page);
        }).WithSummary("Lists the turns, in conversation order (of a session or an episode; a page at a time with limit and cursor).").Produces<TurnList>().RequireAuthorization(ScopePolicies.Read);

        agents.MapGet("", async (HttpContext context, string agent) =>
        {
            var stats = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetStatisticsAsync(ct)).ConfigureAwait(false);
            return Json(new AgentSummary(agent, stats.Turns, stats.Episodes, stats.ActiveNotes, stats.PendingEmbeddings));
        }).WithSummary("Summarizes the agent.").Produces<AgentSummary>().RequireAuthorization(ScopePolicies.Read);

        agents.MapPost("/search", async (HttpContext context, string agent) =>
        {
            var request = await JsonBody.ReadAsync<SearchRequest>(context).ConfigureAwait(false);
            // Hits, and whether they are degraded (ranked lexically: the encoder could not start on the query in time).
            var response = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetSearchResponseAsync(request, ct), idempotent: true).ConfigureAwait(false);
            return Json(response);
        }).WithSummary("Hybrid search over turns, episodes and notes.").Produces<SearchResponse>().RequireAuthorization(ScopePolicies.Read);

        agents.MapPost("/context", async (HttpContext context, string agent) =>
        {
            var request = await JsonBody.ReadAsync<ContextRequest>(context).ConfigureAwait(false);
            var memory = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetContextAsync(request, ct), idempotent: true).ConfigureAwait(false);
            return Json(memory);
        }).WithSummary("Builds the context for a query within a token budget.").Produces<MemoryContext>().RequireAuthorization(ScopePolicies.Read);

        agents.MapPost("/consolidate", async (HttpContext context, string agent) =>
        {
            var report = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.ConsolidateAsync(ct)).ConfigureAwait(false);
            return Json(report);
        }).WithSummary("Consolidates now and compacts the journal.").Produces<ConsolidationReport>().RequireAuthorization(ScopePolicies.Write);

        agents.MapDelete("", async (HttpContext context, string agent) =>
        {
            var existed = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.PurgeAsync(ct)).ConfigureAwait(false);
            return existed ? Results.NoContent() : Problems.NotFound(context, ErrorHandlingMiddleware.AgentDetail(context));
        }).WithSummary("Purges the agent: everything, for good.").RequireAuthorization(ScopePolicies.Forget);

        agents.MapTurnForgetEndpoints(); // DELETE /turns/{turnId}, POST /turns/forget

        return agents;
    }

    public static IResult Json<T>(T value, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, MemoryFabricJson.Options, "application/json", status);
}
