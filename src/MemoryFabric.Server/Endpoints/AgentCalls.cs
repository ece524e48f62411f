using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Resilience;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;

namespace MemoryFabric.Server.Endpoints;

/// <summary>Routes a request to the caller's tenant's agent actor (<c>tenant/agent</c>). The tenant comes from the
/// key only, so no request can name another tenant's agent.</summary>
internal static class AgentCalls
{
    /// <summary>Calls the agent's actor. An idempotent call (by default: a GET) is tried again while the agent's silo
    /// cannot be reached, within <see cref="MemoryFabricServerOptions.CallRetryBudget"/>; after that the request is
    /// answered 503 with Retry-After (never 500: the server did not fail, the silo could not be reached).</summary>
    /// <param name="context">The request.</param>
    /// <param name="agent">The agent's name (the tenant comes from the key).</param>
    /// <param name="call">The grain call.</param>
    /// <param name="idempotent">Whether the call may run twice with the effect of once; <see langword="null"/>: for a
    /// GET or HEAD request.</param>
    public static async Task<T> InvokeAsync<T>(HttpContext context, string agent, Func<IAgentMemoryGrain, CancellationToken, Task<T>> call, bool? idempotent = null)
    {
        var key = ActorKey(context, agent);
        var grain = context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IAgentMemoryGrain>(key);
        var retry = context.RequestServices.GetRequiredService<ClusterCallRetry>();
        try
        {
            return await retry.InvokeAsync(ct => call(grain, ct), idempotent ?? (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (ClusterCallRetry.IsTransient(e))
        {
            throw new RequestRejectedException(StatusCodes.Status503ServiceUnavailable, "agent-unavailable", "The agent is unavailable",
                $"The silo that holds agent '{agent}' cannot be reached (in a cluster: it is being replaced). A read changed nothing; a write may or may not have been stored: send its turns with ids and retry after the Retry-After delay.", e);
        }
    }

    public static string ActorKey(HttpContext context, string agent)
    {
        var caller = context.Features.Get<CallerIdentity>() ?? throw new InvalidOperationException("The request was not authenticated.");
        if (!AgentNames.IsValid(agent))
        {
            throw RequestRejectedException.Invalid($"An agent name is {AgentNames.Rule}.");
        }

        return caller.Tenant + "/" + agent;
    }
}
