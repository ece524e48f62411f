using Microsoft.AspNetCore.Authorization;

namespace MemoryFabric.Server.Security;

/// <summary>A tenant key, whatever its scopes: the requirement of <c>/mcp</c>, whose tools each check the scope
/// they need (read, write, forget). The admin key manages tenants and is refused (403).</summary>
internal sealed record TenantKeyRequirement : IAuthorizationRequirement;

/// <summary>Checks a <see cref="TenantKeyRequirement"/>.</summary>
internal sealed class TenantKeyRequirementHandler : AuthorizationHandler<TenantKeyRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TenantKeyRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return Task.CompletedTask; // no key: the policy fails and the caller is challenged (401)
        }

        if (context.User.FindFirst(ApiKeyClaims.Tenant) is not null)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, "MCP tools act on a tenant's agents and need a tenant key; the admin key manages tenants and keys."));
        }

        return Task.CompletedTask;
    }
}
