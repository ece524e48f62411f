namespace MemoryFabric.Server.Security;

/// <summary>Once the host has started, checks the tenant directory's revocation feed every
/// <see cref="ApiKeyCache.CheckInterval"/> (one small grain call per server per interval), so that a key revoked
/// through any server of a cluster stops working on this one within about a second
/// (<see cref="ApiKeyCache.CheckRevocationsAsync"/>). A failed check is retried at the next interval; until one
/// succeeds, cached keys are looked up again.</summary>
internal sealed partial class ApiKeyRevocationWatcher(ApiKeyCache cache, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ApiKeyRevocationWatcher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        // Stops when the host starts stopping, before the silo does (its calls would fail meanwhile).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        stoppingToken = stopping.Token;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await cache.CheckRevocationsAsync(timeout.Token).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Logged once per run of failures; cached keys are looked up again meanwhile.
                if (failures++ == 0)
                {
                    LogCheckFailed(logger, e);
                }
            }

            try
            {
                await Task.Delay(cache.CheckInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot check the tenant directory for revoked keys; cached keys are looked up again until a check succeeds.")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
