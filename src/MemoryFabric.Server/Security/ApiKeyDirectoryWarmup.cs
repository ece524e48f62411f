using System.Security.Claims;
using MemoryFabric.Api;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Diagnostics;
using MemoryFabric.Orleans.Tenants;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace MemoryFabric.Server.Security;

/// <summary>
/// Readies the key path once the silo has started and before the server reports ready (a hosted service's
/// <see cref="IHostedLifecycleService.StartedAsync"/> runs before the host signals started, which is when
/// <c>/readyz</c> turns ready): <see cref="ApiKeyCache.WarmUpAsync"/> activates the tenant directory, reads its keys
/// from storage and runs the first revocation check; the agents' instruments are created; a key is hashed (the first
/// SHA-256 loads the platform's crypto library); and a request that goes nowhere is authenticated (it presents no key)
/// and a tenant principal authorized for the read scope, so that the handlers are compiled. Otherwise the first
/// request after a start pays for all of that, and races the revocation watcher's first check, which started the
/// directory at the same moment. The one trace it leaves is a successful authorization in ASP.NET Core's
/// authorization metrics. A failure (the directory did not answer within <see cref="Timeout"/>) is a warning:
/// the server starts, and the first request looks its key up as before.
/// </summary>
internal sealed partial class ApiKeyDirectoryWarmup(ApiKeyCache cache, IServiceProvider services, ILogger<ApiKeyDirectoryWarmup> logger) : IHostedLifecycleService
{
    /// <summary>How long the warm-up waits for the directory before the server starts without it.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        // Singletons the first agent activation would otherwise create on its path.
        _ = services.GetService<AgentMemoryMetrics>();
        _ = services.GetService<FabricGrainMetrics>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await cache.WarmUpAsync(timeout.Token).ConfigureAwait(false);
            await WarmUpHandlersAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, e);
        }
    }

    // Nothing is looked up or stored: no key is presented, and the principal is made here.
    private async Task WarmUpHandlersAsync()
    {
        _ = ApiKeys.Hash("warm-up");
        if (services.GetService<IAuthenticationService>() is null)
        {
            return; // not the server's container (tests)
        }

        await using var scope = services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/v1/agents/warm-up";
        await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName).ConfigureAwait(false);
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ApiKeyClaims.KeyId, "warm-up"), new Claim(ApiKeyClaims.Tenant, "warm-up"), new Claim(ApiKeyClaims.Scope, ApiScopes.Read)],
            ApiKeyAuthenticationHandler.SchemeName,
            ApiKeyClaims.KeyId,
            roleType: null));
        await scope.ServiceProvider.GetRequiredService<IAuthorizationService>().AuthorizeAsync(principal, context, ScopePolicies.Read).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The tenant directory did not answer the start-up warm-up; the first request looks its key up instead.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
