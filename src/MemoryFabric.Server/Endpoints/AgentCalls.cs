using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;

namespace MemoryFabric.Server.Endpoints;

/// <summary>Routes a request to the caller's tenant's agent actor (<c>tenant/agent</c>). The tenant comes from the
/// key only, so no request can name another tenant's agent.</summary>
internal static class AgentCalls
{
    public static Task<T> InvokeAsync<T>(HttpContext context, string agent, Func<IAgentMemoryGrain, CancellationToken, Task<T>> call)
    {
        var key = ActorKey(context, agent);
        var grains = context.RequestServices.GetRequiredService<IGrainFactory>();
        return call(grains.GetGrain<IAgentMemoryGrain>(key), context.RequestAborted);
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
