using MemoryFabric.Api;
using MemoryFabric.Server.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace MemoryFabric.Server.Security;

/// <summary>The authorization policies of the <c>/v1</c> routes: each route declares exactly one with
/// <c>RequireAuthorization(ScopePolicies.X)</c>.</summary>
internal static class ScopePolicies
{
    /// <summary>Needs the <c>read</c> scope.</summary>
    public const string Read = "scope:" + ApiScopes.Read;

    /// <summary>Needs the <c>write</c> scope.</summary>
    public const string Write = "scope:" + ApiScopes.Write;

    /// <summary>Needs the <c>forget</c> scope.</summary>
    public const string Forget = "scope:" + ApiScopes.Forget;

    /// <summary>Needs the <c>guard</c> scope.</summary>
    public const string Guard = "scope:" + ApiScopes.Guard;

    /// <summary>Needs the admin key.</summary>
    public const string Admin = "scope:" + ApiScopes.Admin;

    /// <summary>Needs <c>write</c>, or <c>forget</c> when the request has <c>?purge=true</c> (deleting a note retires
    /// it, a write; purging it destroys every version).</summary>
    public const string WriteOrForgetToPurge = "scope:" + ApiScopes.Write + "|purge:" + ApiScopes.Forget;

    /// <summary>Needs a tenant key, whatever its scopes (<c>/mcp</c>: each tool checks the scope it needs).</summary>
    public const string TenantKey = "scope:tenant-key";

    /// <summary>Every policy with its requirement.</summary>
    public static IReadOnlyDictionary<string, ScopeRequirement> All { get; } = new Dictionary<string, ScopeRequirement>(StringComparer.Ordinal)
    {
        [Read] = new(ApiScopes.Read),
        [Write] = new(ApiScopes.Write),
        [Forget] = new(ApiScopes.Forget),
        [Guard] = new(ApiScopes.Guard),
        [Admin] = new(ApiScopes.Admin),
        [WriteOrForgetToPurge] = new(ApiScopes.Write, ApiScopes.Forget),
    };

    /// <summary>Registers the API key scheme, the policies, their handler and the problem+json answers.</summary>
    /// <param name="services">The services.</param>
    public static void AddApiKeyAuthorization(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(o =>
        {
            foreach (var (name, requirement) in All)
            {
                o.AddPolicy(name, p => p.AddRequirements(requirement));
            }

            o.AddPolicy(TenantKey, p => p.AddRequirements(new TenantKeyRequirement()));

            // A /v1 or /mcp request that reaches no route with a policy (an unknown route, a wrong method) still needs a
            // key, as every /v1 request always did; the rest (health, readiness, metrics, OpenAPI) stays anonymous.
            o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAssertion(c =>
                c.Resource is not HttpContext http
                || !ApiKeyAuthenticationHandler.IsKeyedPath(http.Request.Path)
                || c.User.Identity?.IsAuthenticated == true).Build();
        });
        services.AddSingleton<IAuthorizationHandler, ScopeRequirementHandler>();
        services.AddSingleton<IAuthorizationHandler, TenantKeyRequirementHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ScopeAuthorizationResultHandler>();
    }
}

/// <summary>A route's scope: the key must hold <see cref="Scope"/>, or <see cref="PurgeScope"/> when the request
/// asks to purge (<c>?purge=true</c>). The tenant scopes need a tenant key; <c>admin</c> needs the admin key.</summary>
/// <param name="Scope">The scope the route needs.</param>
/// <param name="PurgeScope">The scope it needs instead with <c>?purge=true</c>, if any.</param>
internal sealed record ScopeRequirement(string Scope, string? PurgeScope = null) : IAuthorizationRequirement
{
    /// <summary>The scope this request needs.</summary>
    /// <param name="context">The request, or <see langword="null"/>.</param>
    /// <returns>The scope.</returns>
    public string ScopeFor(HttpContext? context) =>
        PurgeScope is { } purge && context is not null && AsksToPurge(context.Request) ? purge : Scope;

    // Any value that reads as true counts, so that no spelling of the query purges with the lesser scope.
    private static bool AsksToPurge(HttpRequest request) =>
        request.Query.TryGetValue("purge", out var values) && values.Any(v => bool.TryParse(v, out var purge) && purge);
}

/// <summary>Checks a <see cref="ScopeRequirement"/> against the principal's scope and tenant claims; a failure's
/// reason names the missing scope (the 403's detail).</summary>
internal sealed class ScopeRequirementHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return Task.CompletedTask; // no key: the policy fails and the caller is challenged (401)
        }

        var scope = requirement.ScopeFor(context.Resource as HttpContext);
        var tenant = context.User.FindFirst(ApiKeyClaims.Tenant)?.Value;
        var holds = context.User.HasClaim(ApiKeyClaims.Scope, scope);
        if (scope == ApiScopes.Admin)
        {
            if (holds)
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new ScopeFailure(this, scope, "This route needs the admin key; tenant keys cannot manage tenants or keys."));
            }
        }
        else if (tenant is null)
        {
            context.Fail(new ScopeFailure(this, scope, "The admin key manages tenants; agent and guard routes need a tenant key."));
        }
        else if (holds)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new ScopeFailure(this, scope, $"This key lacks the '{scope}' scope, which this request needs. {Explain(scope)}"));
        }

        return Task.CompletedTask;
    }

    private static string Explain(string scope) => scope switch
    {
        ApiScopes.Forget => "Forgetting a turn or purging a note or an agent destroys memory for good; create a key with 'forget' for it.",
        ApiScopes.Guard => "Changing the guard needs a key without a trust cap that holds 'guard'.",
        _ => "Create a key with the scopes it needs (read, write, forget, guard).",
    };
}

/// <summary>Why a scope requirement failed.</summary>
/// <param name="handler">The handler.</param>
/// <param name="scope">The scope that was missing.</param>
/// <param name="message">The reason, for the caller.</param>
internal sealed class ScopeFailure(IAuthorizationHandler handler, string scope, string message) : AuthorizationFailureReason(handler, message)
{
    /// <summary>The scope that was missing.</summary>
    public string Scope { get; } = scope;
}

/// <summary>Answers a failed authorization with problem+json: 401 when there is no valid key, 403 naming the missing
/// scope (<c>requiredScope</c>) when the key may not use the route.</summary>
internal sealed class ScopeAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            var result = await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName).ConfigureAwait(false);
            await WriteUnauthorizedAsync(context, result).ConfigureAwait(false);
        }
        else if (authorizeResult.Forbidden)
        {
            var failure = authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault();
            await WriteForbiddenAsync(context, failure?.Message ?? "This key may not use this route.", (failure as ScopeFailure)?.Scope).ConfigureAwait(false);
        }
        else
        {
            await next(context).ConfigureAwait(false);
        }
    }

    public static Task WriteUnauthorizedAsync(HttpContext context, AuthenticateResult result) =>
        result.Failure is null
            ? Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", "An API key is required.",
                "Send it as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.")
            : Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", "The API key is not valid.",
                ApiKeyAuthenticationHandler.InvalidKeyMessage);

    public static async Task WriteForbiddenAsync(HttpContext context, string detail, string? scope = null)
    {
        var problem = Problems.Create(context, StatusCodes.Status403Forbidden, "forbidden", "Forbidden", detail);
        if (scope is not null)
        {
            problem.Extensions["requiredScope"] = scope;
        }

        await Problems.WriteAsync(context, problem).ConfigureAwait(false);
    }
}
