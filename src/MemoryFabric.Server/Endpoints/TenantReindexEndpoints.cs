using System.Text.Json;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Serialization;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;

namespace MemoryFabric.Server.Endpoints;

/// <summary><c>POST /v1/admin/tenants/{tenant}/reindex</c> (admin key): rebuilds the tenant's vector shards from its
/// agents' memories (<see cref="TenantReindex"/>) and streams its progress as JSON lines
/// (<see cref="TenantReindexLine"/>), the last with <c>done: true</c>. An unknown (or deleting) tenant is a 404 and an
/// index that is off a 501, both problem+json before anything is streamed. The rebuild runs to its end even when the
/// caller stops reading.</summary>
internal static class TenantReindexEndpoints
{
    public static IEndpointRouteBuilder MapTenantReindexEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/admin/tenants/{tenant}/reindex", async (HttpContext context, string tenant) =>
        {
            var grains = context.RequestServices.GetRequiredService<IGrainFactory>();
            var record = await grains.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.DirectoryKey).GetTenantAsync(tenant, context.RequestAborted).ConfigureAwait(false);
            if (record is null || record.DeletingSince is not null)
            {
                return Problems.NotFound(context, $"No tenant '{tenant}'.");
            }

            var streaming = true;
            async Task WriteAsync(TenantReindexProgress progress, bool done)
            {
                if (!streaming)
                {
                    return;
                }

                try
                {
                    if (!context.Response.HasStarted)
                    {
                        context.Response.ContentType = TransferEndpoints.NdjsonContentType;
                    }

                    var line = new TenantReindexLine(progress.Tenant, progress.AgentsDone, progress.AgentsTotal, progress.ItemsShipped, done);
                    await JsonSerializer.SerializeAsync(context.Response.Body, line, MemoryFabricJson.Options, CancellationToken.None).ConfigureAwait(false);
                    await context.Response.Body.WriteAsync("\n"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                {
                    streaming = false; // the caller left: the rebuild goes on
                }
            }

            var final = await TenantReindex.RunAsync(grains, tenant, p => WriteAsync(p, done: false), CancellationToken.None).ConfigureAwait(false);
            await WriteAsync(final, done: true).ConfigureAwait(false);
            return Results.Empty;
        }).WithTags("Admin")
          .WithSummary("Rebuilds the tenant's vector shards from its agents' memories; streams the progress as JSON lines.")
          .Produces<TenantReindexLine>(StatusCodes.Status200OK, TransferEndpoints.NdjsonContentType)
          .RequireAuthorization(ScopePolicies.Admin);
        return app;
    }
}

/// <summary>One line of a tenant index rebuild's progress.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="AgentsDone">Agents that shipped all their items again.</param>
/// <param name="AgentsTotal">The tenant's agents.</param>
/// <param name="ItemsShipped">Vectors shipped so far.</param>
/// <param name="Done">Whether the rebuild is finished (the last line).</param>
public sealed record TenantReindexLine(string Tenant, int AgentsDone, int AgentsTotal, long ItemsShipped, bool Done);
