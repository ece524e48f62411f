using Orleans.Runtime.Messaging;
using Polly;
using Polly.Retry;

namespace MemoryFabric.Orleans.Resilience;

/// <summary>
/// Tries a grain call again when it failed because the silo that hosted the grain is gone and the cluster has not yet
/// declared it dead (or is placing the grain again): Orleans then refuses the call at once
/// (<see cref="SiloUnavailableException"/>, <see cref="ConnectionFailedException"/>, other
/// <see cref="OrleansMessageRejectionException"/>s). Only idempotent calls are retried (reads, searches, an ingest whose
/// turns all carry ids); each is tried again, with exponential backoff, until it succeeds, fails otherwise, or
/// <see cref="ClusterCallRetryOptions.Budget"/> has passed since its first attempt. Built on a Polly retry pipeline.
/// </summary>
public sealed class ClusterCallRetry
{
    private static readonly ResiliencePropertyKey<long> StartedKey = new("MemoryFabric.ClusterCallRetry.Started");
    private readonly ClusterCallRetryOptions _options;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _pipeline;

    /// <summary>Creates the retry.</summary>
    /// <param name="options">Its options.</param>
    /// <param name="time">The clock (the system's when <see langword="null"/>).</param>
    public ClusterCallRetry(ClusterCallRetryOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && IsTransient(e)
                    && args.Context.Properties.TryGetValue(StartedKey, out var started)
                    && _time.GetElapsedTime(started) < _options.Budget),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.FirstDelay,
                MaxDelay = options.MaxDelay,
                MaxRetryAttempts = int.MaxValue,
            })
            .Build();
    }

    /// <summary>Whether a grain call's failure means the grain's silo could not be reached (the call did not run, or
    /// its outcome is unknown): worth trying again once the cluster has placed the grain elsewhere.</summary>
    /// <param name="exception">What the call threw.</param>
    /// <returns><see langword="true"/> for Orleans' message rejections and connection failures.</returns>
    public static bool IsTransient(Exception exception) => exception is OrleansMessageRejectionException or ConnectionFailedException;

    /// <summary>Runs a grain call, tried again on a transient failure when <paramref name="idempotent"/>.</summary>
    /// <typeparam name="T">The call's result.</typeparam>
    /// <param name="call">The call (given the caller's token).</param>
    /// <param name="idempotent">Whether running it twice has the effect of running it once.</param>
    /// <param name="cancellationToken">Cancels the call and the waits between attempts.</param>
    /// <returns>The call's result.</returns>
    public async Task<T> InvokeAsync<T>(Func<CancellationToken, Task<T>> call, bool idempotent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!idempotent || _options.Budget == TimeSpan.Zero)
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(StartedKey, _time.GetTimestamp());
            return await _pipeline.ExecuteAsync(static (ctx, state) => new ValueTask<T>(state(ctx.CancellationToken)), context, call).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
