using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Tenants;

namespace MemoryFabric.Server.Http;

/// <summary>Checks every identifier a request carries in its route (<c>{agent}</c>, <c>{tenant}</c>, <c>{group}</c>
/// and every other <c>{…Id}</c>/<c>{id}</c>) and in the <c>session</c> query parameter before any endpoint runs, so
/// that no route can store, look up or echo an id with a control character in it (a 400, never a 500 from a header or
/// a log line). One place for all routes: a route added later is covered without a line of its own.</summary>
internal sealed class RouteIdentifierMiddleware(RequestDelegate next)
{
    /// <summary>The query parameters that carry identifiers.</summary>
    private static readonly string[] QueryIdentifiers = ["session"];

    public Task InvokeAsync(HttpContext context)
    {
        foreach (var (name, raw) in context.Request.RouteValues)
        {
            if (raw is string value && Problem(name, value) is { } problem)
            {
                throw RequestRejectedException.Invalid(problem);
            }
        }

        foreach (var name in QueryIdentifiers)
        {
            if (context.Request.Query.TryGetValue(name, out var values))
            {
                foreach (var value in values)
                {
                    if (Identifiers.Problem(value) is { } problem)
                    {
                        throw RequestRejectedException.Invalid($"The query parameter '{name}' {problem}; an identifier is {Identifiers.Rule}.");
                    }
                }
            }
        }

        return next(context);
    }

    /// <summary>What is wrong with the route value <paramref name="value"/> of <paramref name="name"/>, or
    /// <see langword="null"/>.</summary>
    internal static string? Problem(string name, string value) => name switch
    {
        "agent" => AgentNames.IsValid(value) ? null : $"An agent name is {AgentNames.Rule}.",
        "group" => AgentNames.IsValid(value) ? null : $"A relation group name is {AgentNames.Rule}.",
        "tenant" => TenantIds.IsValid(value) ? null : $"A tenant id is {TenantIds.Rule}.",
        _ => Identifiers.Problem(value) is { } problem ? $"The route value '{name}' {problem}; an identifier is {Identifiers.Rule}." : null,
    };
}
