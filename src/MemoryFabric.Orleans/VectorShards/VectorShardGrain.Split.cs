using MemoryFabric.Orleans.TenantIndex;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Orleans.VectorShards;

// A shard's part in a split of its tenant's index (the tenant's TenantShardSplitGrain runs it): forwarding changes to
// the halves while the split is under way, copying its items to them, retiring afterwards; and telling the tenant index
// when it has grown past TenantIndexOptions.ShardSplitThreshold.
public sealed partial class VectorShardGrain
{
    private const int MaxPage = 10_000;

    private List<string>? _copyKeys;           // the keys to copy, sorted once per activation
    private DateTimeOffset _lastSizeReport = DateTimeOffset.MinValue;

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListKeysAsync(string? after, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, MaxPage);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<string> page = _shard is null
            ? []
            : _shard.EnumerateKeys().Where(k => after is null || string.CompareOrdinal(k, after) > 0).Order(StringComparer.Ordinal).Take(max).ToList();
        return Task.FromResult(page);
    }

    /// <inheritdoc />
    public async Task BeginSplitAsync(VectorShardSplit split, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(split);
        var state = splitState.State;
        if (state.Split is { } current)
        {
            if (current == split && !state.Retired)
            {
                return;
            }

            throw new InvalidOperationException(state.Retired
                ? $"Shard {this.GetPrimaryKeyString()} was split already."
                : $"Shard {this.GetPrimaryKeyString()} is being split into {current.LowKey} and {current.HighKey} already.");
        }

        state.Split = split;
        await splitState.WriteStateAsync(cancellationToken);
        _copyKeys = null;
    }

    /// <inheritdoc />
    public async Task<VectorShardCopyStep> CopySplitAsync(string? after, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, MaxPage);
        var split = splitState.State.Split ?? throw new InvalidOperationException($"Shard {this.GetPrimaryKeyString()} is not being split.");
        if (splitState.State.Retired || _shard is null)
        {
            return new VectorShardCopyStep(null, 0, 0, 0);
        }

        // Keys present now were either here when the split began or were forwarded when written: copying the ones
        // present (their current values, read and sent on this turn) leaves the halves with every item.
        var keys = _copyKeys ??= [.. _shard.EnumerateKeys().Order(StringComparer.Ordinal)];
        var start = after is null ? 0 : LowerBoundAfter(keys, after);
        var batch = new List<VectorShardEntry>(Math.Min(max, keys.Count - start));
        var position = start;
        for (; position < keys.Count && batch.Count < max; position++)
        {
            if (_shard.TryGetItem(keys[position], out var item))
            {
                var metadata = item.Metadata;
                batch.Add(new VectorShardEntry(item.Key, item.Vector, metadata.AgentId, metadata.Kind, metadata.Timestamp));
            }
        }

        await ForwardAsync(batch, static (half, part, ct) => half.UpsertAsync(part, ct), static i => i.Key, cancellationToken);
        return new VectorShardCopyStep(position >= keys.Count ? null : keys[position - 1], batch.Count, position, keys.Count);
    }

    /// <inheritdoc />
    public async Task FinishSplitAsync(CancellationToken cancellationToken = default)
    {
        var state = splitState.State;
        if (state.Split is null)
        {
            throw new InvalidOperationException($"Shard {this.GetPrimaryKeyString()} is not being split.");
        }

        if (state.Retired)
        {
            return;
        }

        state.Retired = true;
        await splitState.WriteStateAsync(cancellationToken);
        _copyKeys = null;
        await ClearItemsAsync(CancellationToken.None);
    }

    private void ThrowIfRetired()
    {
        if (splitState.State.Retired)
        {
            throw new ShardMovedException($"Vector shard {this.GetPrimaryKeyString()} was split into {splitState.State.Split?.LowKey} and {splitState.State.Split?.HighKey}: read the tenant's shard table again.");
        }
    }

    // While a split is under way: the change, applied here, goes to the halves too (each its own keys), before the
    // caller's acknowledgement.
    private async Task ForwardAsync<T>(IReadOnlyList<T> items, Func<IVectorShardGrain, IReadOnlyList<T>, CancellationToken, Task> send, Func<T, string> key, CancellationToken cancellationToken)
    {
        if (splitState.State is not { Split: { } split, Retired: false } || items.Count == 0)
        {
            return;
        }

        await Task.WhenAll(items.GroupBy(i => split.HalfOf(key(i)), StringComparer.Ordinal)
            .Select(g => send(GrainFactory.GetGrain<IVectorShardGrain>(g.Key), g.ToList(), cancellationToken)));
    }

    private async Task<int> ForgetAgentHereAndInHalvesAsync(string agentId, List<string> keys, CancellationToken cancellationToken)
    {
        var removed = await ForgetHereAsync(keys, cancellationToken);
        if (splitState.State is { Split: { } split, Retired: false })
        {
            // The halves forget the agent whole (what this shard forgot, and anything it no longer has, e.g. forgotten
            // here before a crash): one forget each, not the keys forwarded and the agent again.
            await Task.WhenAll(new[] { split.LowKey, split.HighKey }.Select(k => GrainFactory.GetGrain<IVectorShardGrain>(k).ForgetAgentAsync(agentId, cancellationToken)));
        }

        return removed;
    }

    // A retired shard answers a search from a caller with an old table through its halves.
    private async Task<IReadOnlyList<VectorShardHit>> SearchHalvesAsync(VectorShardSplit split, float[] query, int k, int? efSearch, VectorShardFilter? filter, CancellationToken cancellationToken)
    {
        var halves = await Task.WhenAll(new[] { split.LowKey, split.HighKey }.Select(key =>
        {
            var half = GrainFactory.GetGrain<IVectorShardGrain>(key);
            return efSearch is { } ef ? half.SearchAsync(query, k, ef, filter, cancellationToken) : half.SearchAsync(query, k, filter, cancellationToken);
        }));
        return TenantShardSearch.Merge(halves, k);
    }

    // Tells the tenant index the shard has passed the split threshold (one-way, at most once per check interval).
    private async Task ReportSizeAsync()
    {
        var threshold = _options.ShardSplitThreshold;
        if (threshold <= 0 || _shard is null || _shard.Count < threshold || splitState.State.Split is not null)
        {
            return;
        }

        var now = (ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        if (now - _lastSizeReport < _options.SplitCheckInterval)
        {
            return;
        }

        var key = this.GetPrimaryKeyString();
        var at = key.LastIndexOf("/shard-", StringComparison.Ordinal);
        if (at <= 0)
        {
            return; // not a tenant index's shard
        }

        _lastSizeReport = now;
        await GrainFactory.GetGrain<ITenantIndexGrain>(key[..at]).ReportShardSizeAsync(key, _shard.Count);
    }

    private static int LowerBoundAfter(List<string> sorted, string after)
    {
        var index = sorted.BinarySearch(after, StringComparer.Ordinal);
        return index >= 0 ? index + 1 : ~index;
    }
}
