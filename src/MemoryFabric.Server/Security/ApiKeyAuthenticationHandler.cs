using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using MemoryFabric.Api;
using MemoryFabric.Orleans.Tenants;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Security;

/// <summary>Authenticates <c>/v1</c> requests by API key (<c>Authorization: Bearer</c> or <c>X-Api-Key</c>): the
/// admin key, or a tenant key resolved through the tenant directory (cached by <see cref="ApiKeyCache"/>). The
/// principal carries the tenant, the key id, the trust cap and one claim per scope (<see cref="ApiKeyClaims"/>); the
/// request also gets a <see cref="CallerIdentity"/> feature. No key gives no result (the route's policy then
/// challenges: 401); an unknown key fails (401). Paths outside <c>/v1</c> and <c>/mcp</c> are never authenticated.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AdminKey adminKey,
    ApiKeyCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>What an unknown or revoked key's failure says (the 401's detail).</summary>
    public const string InvalidKeyMessage = "The key is unknown or was revoked.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!IsKeyedPath(Request.Path))
        {
            return AuthenticateResult.NoResult();
        }

        if (ReadPresentedKey(Context) is not var (secret, hash))
        {
            return AuthenticateResult.NoResult();
        }

        CallerIdentity caller;
        IReadOnlyList<string> scopes;
        if (ApiKeys.HashesEqual(hash, adminKey.Hash))
        {
            scopes = [.. ApiScopes.TenantScopes, ApiScopes.Admin];
            caller = new CallerIdentity(null, "admin") { Scopes = scopes };
        }
        else
        {
            var record = secret.StartsWith(ApiKeys.TenantKeyPrefix, StringComparison.Ordinal) ? await ResolveAsync(hash).ConfigureAwait(false) : null;
            if (record is null)
            {
                return AuthenticateResult.Fail(InvalidKeyMessage);
            }

            scopes = record.GetEffectiveScopes();
            caller = new CallerIdentity(record.Tenant, record.Id) { Trust = record.Trust, Scopes = scopes };
        }

        Context.Features.Set(caller);
        // The key id is also the name identifier: an MCP session is bound to the key that opened it.
        var claims = new List<Claim> { new(ApiKeyClaims.KeyId, caller.KeyId), new(ClaimTypes.NameIdentifier, caller.KeyId) };
        if (caller.Tenant is { } tenant)
        {
            claims.Add(new Claim(ApiKeyClaims.Tenant, tenant));
        }

        if (caller.Trust is { } trust)
        {
            claims.Add(new Claim(ApiKeyClaims.Trust, trust.ToString("R", CultureInfo.InvariantCulture), ClaimValueTypes.Double));
        }

        claims.AddRange(scopes.Select(s => new Claim(ApiKeyClaims.Scope, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ApiKeyClaims.KeyId, roleType: null));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    // The authorization result handler writes the problem bodies; these cover a challenge or forbid from elsewhere.
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        await ScopeAuthorizationResultHandler.WriteUnauthorizedAsync(Context, result).ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ScopeAuthorizationResultHandler.WriteForbiddenAsync(Context, "This key may not use this route.");

    // Known keys and unknown hashes are cached (ApiKeyCache); a miss asks the tenant directory grain.
    private ValueTask<ApiKeyRecord?> ResolveAsync(string hash) => cache.ResolveAsync(hash, Context.RequestAborted);

    /// <summary>Whether a path needs an API key: the API (<c>/v1</c>) and the MCP endpoint (<c>/mcp</c>).</summary>
    /// <param name="path">The request path.</param>
    /// <returns>Whether requests to it are authenticated.</returns>
    internal static bool IsKeyedPath(PathString path) =>
        path.StartsWithSegments("/v1", StringComparison.Ordinal) || path.StartsWithSegments(Mcp.McpEndpoint.Path, StringComparison.Ordinal);

    /// <summary>The key a request presents and its SHA-256 hash, hashed once per request: the client-address limit
    /// (before authentication) and authentication both ask.</summary>
    internal static PresentedKey? ReadPresentedKey(HttpContext context)
    {
        if (context.Features.Get<PresentedKey>() is { } read)
        {
            return read;
        }

        if (ReadKey(context.Request) is not { } secret)
        {
            return null;
        }

        var presented = new PresentedKey(secret, ApiKeys.Hash(secret));
        context.Features.Set(presented);
        return presented;
    }

    private static string? ReadKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var value = header["Bearer ".Length..].Trim();
            return value.Length > 0 ? value : null;
        }

        var apiKey = request.Headers["X-Api-Key"].ToString().Trim();
        return apiKey.Length > 0 ? apiKey : null;
    }
}

/// <summary>The API key a request presents (<c>Authorization: Bearer</c>, else <c>X-Api-Key</c>) and its hash.</summary>
/// <param name="Secret">The key as sent.</param>
/// <param name="Hash">Its SHA-256 hash, as stored.</param>
internal sealed record PresentedKey(string Secret, string Hash);

/// <summary>The claim types of an API key's principal.</summary>
internal static class ApiKeyClaims
{
    /// <summary>The tenant (absent for the admin key).</summary>
    public const string Tenant = "memoryfabric/tenant";

    /// <summary>The key id (<c>admin</c> for the admin key).</summary>
    public const string KeyId = "memoryfabric/key";

    /// <summary>The trust cap, when the key has one.</summary>
    public const string Trust = "memoryfabric/trust";

    /// <summary>A scope the key holds (one claim per scope).</summary>
    public const string Scope = "memoryfabric/scope";
}
