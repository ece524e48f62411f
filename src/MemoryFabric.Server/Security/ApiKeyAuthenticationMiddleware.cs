using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Server.Http;

namespace MemoryFabric.Server.Security;

/// <summary>Resolves the key of every <c>/v1</c> request (<c>Authorization: Bearer</c> or <c>X-Api-Key</c>) to a
/// <see cref="CallerIdentity"/>: 401 when missing or unknown, 403 when it is the wrong kind for the route.</summary>
internal sealed class ApiKeyAuthenticationMiddleware(RequestDelegate next, AdminKey adminKey, IGrainFactory grains, ApiKeyCache cache)
{
    private const string AdminPrefix = "/v1/admin";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var secret = ReadKey(context.Request);
        if (secret is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", "An API key is required.",
                "Send it as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.").ConfigureAwait(false);
            return;
        }

        var hash = ApiKeys.Hash(secret);
        CallerIdentity? caller = null;
        if (ApiKeys.HashesEqual(hash, adminKey.Hash))
        {
            caller = new CallerIdentity(null, "admin");
        }
        else if (secret.StartsWith(ApiKeys.TenantKeyPrefix, StringComparison.Ordinal))
        {
            if (!cache.TryGet(hash, out var record))
            {
                record = await grains.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.DirectoryKey).ResolveAsync(hash, context.RequestAborted).ConfigureAwait(false);
                if (record is not null)
                {
                    cache.Add(record);
                }
            }

            if (record is not null)
            {
                caller = new CallerIdentity(record.Tenant, record.Id) { Trust = record.Trust };
            }
        }

        if (caller is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", "The API key is not valid.",
                "The key is unknown or was revoked.").ConfigureAwait(false);
            return;
        }

        var adminRoute = context.Request.Path.StartsWithSegments(AdminPrefix, StringComparison.Ordinal);
        if (adminRoute != caller.IsAdmin)
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "forbidden",
                adminRoute ? "This route needs the admin key." : "The admin key manages tenants; agent routes need a tenant key.",
                null).ConfigureAwait(false);
            return;
        }

        context.Features.Set(caller);
        await next(context).ConfigureAwait(false);
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
