using System.Diagnostics;
using MemoryFabric.Orleans.VectorShards;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Concurrency;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>Runs a tenant's shard splits (key: the tenant), one at a time, in the background: woken by the tenant
/// index when it records a split, and again at the index's activation while one is under way.</summary>
[Alias("memoryfabric.tenantindex.splitter")]
public interface ITenantShardSplitGrain : IGrainWithStringKey
{
    /// <summary>Runs the split the tenant index records until it is done (and any recorded after it). One-way: a
    /// caller never waits for a split.</summary>
    /// <returns>A task.</returns>
    [OneWay]
    [Alias("run")]
    Task RunAsync();
}

/// <summary>The <see cref="ITenantShardSplitGrain"/>. A split, step by step (each step idempotent, so a split cut short
/// by a crash is run again from its last recorded step and loses nothing):</summary>
/// <remarks>
/// <list type="number">
/// <item>The source shard records the split (<see cref="IVectorShardGrain.BeginSplitAsync"/>): from then on it applies
/// every change and forwards it to the half its key routes to before acknowledging it.</item>
/// <item>The source copies its items to the halves, <see cref="TenantIndexOptions.SplitCopyBatch"/> at a time, each batch
/// read and sent on one of its turns (so no forwarded change can be overtaken by an older copy).</item>
/// <item>The tenant index publishes the table with the halves instead of the source
/// (<see cref="ITenantIndexGrain.CommitSplitAsync"/>): searches and new writes go to the halves.</item>
/// <item>The source is retired (<see cref="IVectorShardGrain.FinishSplitAsync"/>): its items and stored state are
/// removed; a writer with the old table is told to read the table again (<see cref="ShardMovedException"/>), a search
/// with it is answered through the halves.</item>
/// </list>
/// </remarks>
public sealed class TenantShardSplitGrain : Grain, ITenantShardSplitGrain
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger;

    /// <summary>Creates the grain.</summary>
    /// <param name="logger">A logger.</param>
    public TenantShardSplitGrain(ILogger<TenantShardSplitGrain>? logger = null) => _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <inheritdoc />
    public async Task RunAsync()
    {
        var options = ServiceProvider.GetService<TenantIndexOptions>() ?? new TenantIndexOptions();
        var metrics = ServiceProvider.GetService<TenantIndexMetrics>();
        var index = GrainFactory.GetGrain<ITenantIndexGrain>(this.GetPrimaryKeyString());
        var delay = options.RetryDelay;
        while (true)
        {
            try
            {
                if (await index.GetSplitAsync() is not { } split)
                {
                    return;
                }

                await RunAsync(index, split, options, metrics);
                delay = options.RetryDelay;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogWarning(e, "A split of tenant {Tenant}'s vector index failed; retrying in {Delay}", this.GetPrimaryKeyString(), delay);
                await Task.Delay(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private async Task RunAsync(ITenantIndexGrain index, TenantShardSplit split, TenantIndexOptions options, TenantIndexMetrics? metrics)
    {
        var source = GrainFactory.GetGrain<IVectorShardGrain>(split.SourceKey);
        var watch = Stopwatch.StartNew();
        if (!split.Committed)
        {
            await source.BeginSplitAsync(split.Plan);
            string? after = null;
            var copied = 0L;
            var lastReport = TimeSpan.Zero;
            do
            {
                var step = await source.CopySplitAsync(after, options.SplitCopyBatch);
                after = step.Next;
                copied += step.Copied;
                metrics?.SplitCopied(step.Copied);
                if (watch.Elapsed - lastReport >= TimeSpan.FromSeconds(10) && _logger.IsEnabled(LogLevel.Information))
                {
                    lastReport = watch.Elapsed;
                    _logger.LogInformation("Splitting {Shard}: {Position} of {Total} keys copied to {Low} and {High} ({Elapsed:F0} s)", split.SourceKey, step.Position, step.Total, split.Plan.LowKey, split.Plan.HighKey, watch.Elapsed.TotalSeconds);
                }
            }
            while (after is not null);

            await index.CommitSplitAsync(split.Source);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                _logger.LogInformation("Split of {Shard}: {Copied} items copied to {Low} and {High} in {Elapsed:F1} s; table updated", split.SourceKey, copied, split.Plan.LowKey, split.Plan.HighKey, watch.Elapsed.TotalSeconds);
            }
        }

        await source.FinishSplitAsync();
        await index.CompleteSplitAsync(split.Source);
        metrics?.SplitFinished();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("Split of {Shard} done: retired after {Elapsed:F1} s", split.SourceKey, watch.Elapsed.TotalSeconds);
        }
    }
}
