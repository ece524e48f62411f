using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Api;
using MemoryFabric.Server.Http;

namespace MemoryFabric.Server.Endpoints;

/// <summary>The admin routes: tenants (created, listed, deleted), their API keys, and the store's backup.</summary>
internal static class AdminEndpoints
{
    public static void MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/admin").WithTags("Admin").RequireAuthorization(Security.ScopePolicies.Admin);
        admin.MapBackupEndpoint(); // POST /v1/admin/backup (BackupEndpoints.cs)

        admin.MapPost("/tenants", async (HttpContext context) =>
        {
            var request = await JsonBody.ReadAsync<CreateTenantRequest>(context).ConfigureAwait(false);
            var tenant = await Directory(context, (d, ct) => d.CreateTenantAsync(request.Id, request.Name, ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(ToResponse(tenant), StatusCodes.Status201Created);
        }).Produces<TenantInfo>(StatusCodes.Status201Created);

        admin.MapGet("/tenants", async (HttpContext context) =>
        {
            var tenants = await Directory(context, (d, ct) => d.ListTenantsAsync(ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(new TenantList(tenants.Select(ToResponse).ToList()));
        }).Produces<TenantList>();

        admin.MapPost("/tenants/{tenant}/keys", async (HttpContext context, string tenant) =>
        {
            var request = context.Request.ContentLength is 0 || (context.Request.ContentLength is null && context.Request.ContentType is null)
                ? new CreateKeyRequest(null)
                : await JsonBody.ReadAsync<CreateKeyRequest>(context).ConfigureAwait(false);
            if (request.Trust is { } trust && !Security.TrustCap.IsValid(trust))
            {
                return Problems.BadRequest(context, $"'trust' is the most trust the key's writes may claim: a number from 0 to 1; {trust.ToString(System.Globalization.CultureInfo.InvariantCulture)} was given.");
            }

            var scopes = MemoryFabric.Api.ApiScopes.Normalize(request.Scopes, out var scopeProblem);
            if (scopes is null)
            {
                return Problems.BadRequest(context, scopeProblem!);
            }

            if (request.Trust is not null && scopes.Contains(MemoryFabric.Api.ApiScopes.Guard, StringComparer.Ordinal))
            {
                return Problems.BadRequest(context, "A key with a trust cap cannot hold the 'guard' scope: a capped key is a tool's or an importer's, which must not release what it wrote.");
            }

            var created = await Directory(context, (d, ct) => d.CreateScopedKeyAsync(tenant, request.Name, request.Trust, scopes, ct)).ConfigureAwait(false);
            return created is null
                ? Problems.NotFound(context, $"No tenant '{tenant}'.")
                : AgentEndpoints.Json(ToCreatedKey(created.Record, created.Secret), StatusCodes.Status201Created);
        }).Produces<MemoryFabric.Api.CreatedApiKey>(StatusCodes.Status201Created);

        admin.MapGet("/tenants/{tenant}/keys", async (HttpContext context, string tenant) =>
        {
            var keys = await Directory(context, (d, ct) => d.ListKeysAsync(tenant, ct)).ConfigureAwait(false);
            return keys is null ? Problems.NotFound(context, $"No tenant '{tenant}'.") : AgentEndpoints.Json(new KeyList(keys.Select(ToResponse).ToList()));
        }).Produces<KeyList>();

        admin.MapDelete("/tenants/{tenant}/keys/{keyId}", async (HttpContext context, string tenant, string keyId) =>
        {
            var revoked = await Directory(context, (d, ct) => d.RevokeKeyAsync(tenant, keyId, ct)).ConfigureAwait(false);
            context.RequestServices.GetRequiredService<Security.ApiKeyCache>().Remove(tenant, keyId); // refused here at once, elsewhere at the next revocation check
            return revoked ? Results.NoContent() : Problems.NotFound(context, $"No key '{keyId}' for tenant '{tenant}'.");
        });

        // Deleting a tenant: its keys revoked and the tenant marked deleting in one directory write (a DELETE that
        // resumes an interrupted deletion revokes nothing more), then its data purged by the deletion grain, which
        // removes the tenant's record last. The deletion runs to its end even when the caller stops waiting.
        admin.MapDelete("/tenants/{tenant}", async (HttpContext context, string tenant) =>
        {
            var started = await Directory(context, (d, ct) => d.BeginDeleteAsync(tenant, ct)).ConfigureAwait(false);
            if (started is null)
            {
                return Problems.NotFound(context, $"No tenant '{tenant}'.");
            }

            var cache = context.RequestServices.GetRequiredService<Security.ApiKeyCache>();
            foreach (var key in started.RevokedKeys)
            {
                cache.Remove(tenant, key.Id); // refused here at once, elsewhere at the next revocation check
            }

            var deletion = context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<ITenantDeletionGrain>(tenant);
            var report = await deletion.RunAsync(CancellationToken.None).ConfigureAwait(false);
            return report is null
                ? Problems.NotFound(context, $"No tenant '{tenant}': its deletion was finished meanwhile.")
                : AgentEndpoints.Json(new TenantDeletionResult(tenant, report.AgentsPurged, started.RevokedKeys.Count));
        }).WithSummary("Deletes a tenant: revokes its keys, purges its agents and guard settings for good, removes it.").Produces<TenantDeletionResult>();
    }

    private static Task<T> Directory<T>(HttpContext context, Func<ITenantDirectoryGrain, CancellationToken, Task<T>> call) =>
        call(context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.DirectoryKey), context.RequestAborted);

    private static TenantInfo ToResponse(TenantRecord t) => new(t.Id, t.Name, t.CreatedAt) { DeletingSince = t.DeletingSince };

    private static ApiKeyInfo ToResponse(ApiKeyRecord k) => new(k.Id, k.Name, k.Tenant, k.CreatedAt) { Trust = k.Trust, Scopes = k.GetEffectiveScopes() };

    private static MemoryFabric.Api.CreatedApiKey ToCreatedKey(ApiKeyRecord k, string secret) => new(k.Id, k.Name, k.Tenant, k.CreatedAt, secret) { Trust = k.Trust, Scopes = k.GetEffectiveScopes() };
}
