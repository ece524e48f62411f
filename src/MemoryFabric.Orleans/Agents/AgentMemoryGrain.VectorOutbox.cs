using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Orleans.Agents;

/// <summary>The calls a tenant-wide search makes on an agent (<see cref="AgentMemoryGrain"/>, key <c>tenant/agent</c>):
/// flush its vector outbox, and describe the items the shards found.</summary>
[Alias("memoryfabric.agent.vector-outbox")]
public interface IAgentVectorOutboxGrain : IGrainWithStringKey
{
    /// <summary>Embeds the items still waiting for their vector and ships every pending upsert and delete to the
    /// tenant's shards; returns once they acknowledged (read-after-write for a tenant-wide search).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    [Alias("flush")]
    Task FlushVectorOutboxAsync(CancellationToken cancellationToken = default);

    /// <summary>The items the shards found, as the agent's search shows them; those no longer retrievable (forgotten,
    /// deleted, quarantined, superseded) are left out, so a shard's late copy is never shown.</summary>
    /// <param name="itemKeys">Item keys (<see cref="ShardTable.ItemKey"/>) of this agent.</param>
    /// <param name="scores">The score to report for each key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The retrievable items, in the order of the keys.</returns>
    [Alias("describe")]
    Task<IReadOnlyList<ContextItem>> DescribeItemsAsync(IReadOnlyList<string> itemKeys, IReadOnlyList<double> scores, CancellationToken cancellationToken = default);

    /// <summary>Ships every item of the agent again, whatever the shards acknowledged before (the tenant's shards were
    /// cleared for a rebuild): the outbox's ledger is reset, the items still waiting for their vector are embedded,
    /// and the whole memory is shipped.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many vectors were shipped (0 when the agent does not exist or the index is off).</returns>
    [Alias("reship")]
    Task<int> ReshipVectorOutboxAsync(CancellationToken cancellationToken = default);
}

// The agent's outbox to its tenant's vector shards (TenantIndex/VectorOutbox.cs): a write marks the agent pending in the
// tenant index before it is acknowledged, a one-shot grain timer ships the changes after TenantIndexOptions.FlushDelay
// (retried with backoff), a forget ships in its own request, a purge clears the agent's items from every shard, and a
// clean agent leaves the index's pending list TenantIndexOptions.UnmarkAfter after its last clean flush.
public sealed partial class AgentMemoryGrain : IAgentVectorOutboxGrain
{
    private VectorOutbox? _outbox;
    private bool _outboxResolved;
    private IGrainTimer? _outboxTimer;
    private IGrainTimer? _outboxUnmarkTimer;
    private TimeSpan _outboxRetry;
    private bool _outboxForget; // a forget's removals are not yet acknowledged: they go as forgets when retried

    /// <inheritdoc />
    public async Task FlushVectorOutboxAsync(CancellationToken cancellationToken = default)
    {
        if (Outbox is not { } outbox)
        {
            return;
        }

        using var foreground = _options.IndexingGate?.EnterForeground();
        while (_exists && _memory.PendingEmbeddingCount > 0)
        {
            if (await _memory.EmbedPendingAsync(_options.EmbeddingBatchSize, cancellationToken) == 0)
            {
                break;
            }

            _dirty = true;
        }

        await FlushOutboxAsync(outbox, cancellationToken);
        await outbox.UnmarkIfCleanAsync(_memory, cancellationToken); // asked by a search: leave the pending list at once when clean
    }

    /// <inheritdoc />
    public async Task<int> ReshipVectorOutboxAsync(CancellationToken cancellationToken = default)
    {
        if (Outbox is not { } outbox || !_exists)
        {
            return 0;
        }

        _memory.ReclaimOffloadedTurnVectors(); // the shards are being rebuilt: every vector must be shipped again
        await outbox.ResetAsync(cancellationToken);
        await FlushVectorOutboxAsync(cancellationToken);
        return outbox.LastFlush.Upserts;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ContextItem>> DescribeItemsAsync(IReadOnlyList<string> itemKeys, IReadOnlyList<double> scores, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(itemKeys);
        ArgumentNullException.ThrowIfNull(scores);
        cancellationToken.ThrowIfCancellationRequested();
        var items = new List<ContextItem>(itemKeys.Count);
        if (!_exists)
        {
            return Task.FromResult<IReadOnlyList<ContextItem>>(items); // purged, or never written
        }

        for (var i = 0; i < itemKeys.Count; i++)
        {
            if (ShardTable.TryParseItemKey(itemKeys[i], out var key) && key.Agent == _agent
                && _memory.DescribeRetrievableItem(key.Kind, key.Id, i < scores.Count ? scores[i] : 0) is { } item)
            {
                items.Add(item);
            }
        }

        return Task.FromResult<IReadOnlyList<ContextItem>>(items);
    }

    private VectorOutbox? Outbox
    {
        get
        {
            if (!_outboxResolved)
            {
                _outboxResolved = true;
                var options = ServiceProvider.GetService<TenantIndexOptions>() ?? new TenantIndexOptions();
                if (options.Enabled && _tenant is not null && _agent is not null)
                {
                    _outbox = new VectorOutbox(GrainFactory, ServiceProvider.GetRequiredService<IActorStateStore>(), _tenant, _agent, ServiceProvider.GetService<TenantIndexMetrics>());
                }
            }

            return _outbox;
        }
    }

    private TenantIndexOptions OutboxOptions => ServiceProvider.GetService<TenantIndexOptions>() ?? new TenantIndexOptions();

    // Before a write's journal append: the tenant index learns the agent has pending changes (a failure fails the write).
    private Task OutboxBeforeCommitAsync() => Outbox?.MarkPendingAsync(CancellationToken.None) ?? Task.CompletedTask;

    // After a write is durable: a forget reaches the shards in the same request (their stored state loses the items);
    // anything else is shipped by the timer. A failed forget shipment is retried by the timer, still as a forget (a
    // tenant-wide search never shows the items meanwhile: they are described by this agent, which no longer has them).
    private async Task OutboxAfterCommitAsync(IReadOnlyList<MemoryChange> changes)
    {
        if (Outbox is not { } outbox || !VectorOutbox.HoldsForget(changes))
        {
            return;
        }

        _outboxForget = true;
        try
        {
            await FlushOutboxAsync(outbox, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "The tenant index of {Actor} could not forget the removed items yet; retrying", _id);
            ScheduleOutboxFlush(retry: true);
        }
    }

    // A purged agent's items leave every shard of its tenant (before the purge is acknowledged).
    private Task OutboxPurgeAsync(CancellationToken cancellationToken) => Outbox?.PurgeAsync(_memory, cancellationToken) ?? Task.CompletedTask;

    private async Task OutboxDeactivatingAsync(CancellationToken cancellationToken)
    {
        _outboxTimer?.Dispose();
        _outboxTimer = null;
        _outboxUnmarkTimer?.Dispose();
        _outboxUnmarkTimer = null;
        if (_outbox is { } outbox)
        {
            await outbox.CloseAsync(cancellationToken);
        }
    }

    // One flush (forgets stay forgets until acknowledged); a clean one schedules the agent's unmarking in the index.
    private async Task FlushOutboxAsync(VectorOutbox outbox, CancellationToken cancellationToken)
    {
        var forget = _outboxForget;
        var clean = await outbox.FlushAsync(_memory, forget, cancellationToken);
        if (forget)
        {
            _outboxForget = false;
        }

        OffloadAcknowledgedTurnVectors(outbox);

        if (clean && _outboxUnmarkTimer is null)
        {
            _outboxUnmarkTimer = this.RegisterGrainTimer(
                async ct =>
                {
                    using var fired = _outboxUnmarkTimer; // one-shot
                    _outboxUnmarkTimer = null;
                    try
                    {
                        await outbox.UnmarkIfCleanAsync(_memory, ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // Still listed: a tenant-wide search flushes the agent (cheaply) and the next clean flush retries.
                        _logger.LogWarning(e, "The tenant index of {Actor} could not take it off its pending list", _id);
                    }
                },
                new GrainTimerCreationOptions { DueTime = OutboxOptions.UnmarkAfter, Period = Timeout.InfiniteTimeSpan, Interleave = false, KeepAlive = false });
        }
    }

    // The dense items may have changed (a write, new vectors, a consolidation): ship them after the flush delay.
    private void ScheduleOutboxFlush(bool retry = false)
    {
        if (_outboxTimer is not null || !_exists || Outbox is null)
        {
            return;
        }

        var options = OutboxOptions;
        var due = options.FlushDelay;
        if (retry)
        {
            _outboxRetry = _outboxRetry == TimeSpan.Zero ? options.RetryDelay : TimeSpan.FromTicks(Math.Min(_outboxRetry.Ticks * 2, options.MaxRetryDelay.Ticks));
            due = _outboxRetry;
        }

        _outboxTimer = this.RegisterGrainTimer(
            async ct =>
            {
                using var fired = _outboxTimer; // one-shot: disposed after this tick (disposing cancels its token)
                _outboxTimer = null;
                if (!_exists)
                {
                    return; // purged or discarded (the activation is going away): the next one compares everything
                }

                try
                {
                    await FlushOutboxAsync(Outbox!, ct);
                    _outboxRetry = TimeSpan.Zero;
                }
                catch (Exception) when (ct.IsCancellationRequested)
                {
                    // The activation is going away (its silo may be stopping): the next one computes the difference again.
                }
                catch (Exception e)
                {
                    ServiceProvider.GetService<TenantIndexMetrics>()?.Failed();
                    _logger.LogWarning(e, "The vector outbox of {Actor} could not reach the tenant's shards; retrying", _id);
                    ScheduleOutboxFlush(retry: true);
                }
            },
            // Not interleaved: measured (README, "Tenant index"), an interleaved flush let the agents embed and ship at full
            // speed into the shards' indexing, and the requests of every agent waited for the cores instead.
            new GrainTimerCreationOptions { DueTime = due, Period = Timeout.InfiniteTimeSpan, Interleave = false, KeepAlive = true });
    }
}
