using System.Text.RegularExpressions;
using MemoryFabric.Actors;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;

namespace MemoryFabric.Server.Endpoints;

/// <summary>Routes a request to the caller's tenant's agent actor (<c>tenant/agent</c>). The tenant comes from the
/// key only, so no request can name another tenant's agent.</summary>
internal static partial class AgentCalls
{
    public static Task<T> InvokeAsync<T>(HttpContext context, string agent, Func<IAgentMemoryActor, CancellationToken, Task<T>> call)
    {
        var key = ActorKey(context, agent);
        var actors = context.RequestServices.GetRequiredService<IFabricActorClient>();
        return actors.CallAgentAsync(key, call, context.RequestAborted);
    }

    public static string ActorKey(HttpContext context, string agent)
    {
        var caller = context.Features.Get<CallerIdentity>() ?? throw new InvalidOperationException("The request was not authenticated.");
        if (!AgentNamePattern().IsMatch(agent))
        {
            throw RequestRejectedException.Invalid("An agent name is 1 to 128 characters of A-Z, a-z, 0-9, '.', '_', '-', '@' and ':'.");
        }

        return caller.Tenant + "/" + agent;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._\-@:]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex AgentNamePattern();
}
