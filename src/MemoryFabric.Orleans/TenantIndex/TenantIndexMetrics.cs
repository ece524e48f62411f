using System.Diagnostics.Metrics;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>The tenant index's instruments (meter <c>MemoryFabric.TenantIndex</c>): the agents' outbox lag
/// (<c>memoryfabric.tenant_index.outbox.pending</c>, in Prometheus <c>memoryfabric_tenant_index_outbox_pending</c>),
/// what the outboxes shipped, the shipments that failed and will be retried, the shards' splits, and the turn vectors
/// large agents dropped from their activations because the shards hold them.</summary>
public sealed class TenantIndexMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "MemoryFabric.TenantIndex";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly UpDownCounter<long> _pending;
    private readonly Counter<long> _shipped;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _splits;
    private readonly Counter<long> _splitCopied;
    private readonly Counter<long> _offloaded;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">The meter factory of the host; a private meter when <see langword="null"/>.</param>
    public TenantIndexMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _pending = _meter.CreateUpDownCounter<long>("memoryfabric.tenant_index.outbox.pending", "{item}",
            "Vector upserts and deletes the agents of this silo owe the tenant's shards (found at their last flush, not yet acknowledged).");
        _shipped = _meter.CreateCounter<long>("memoryfabric.tenant_index.outbox.shipped", "{item}", "Vector upserts and deletes the shards acknowledged, by operation.");
        _failures = _meter.CreateCounter<long>("memoryfabric.tenant_index.outbox.failures", "{flush}", "Outbox flushes that failed (retried with backoff).");
        _splits = _meter.CreateCounter<long>("memoryfabric.tenant_index.splits", "{split}", "Vector shards split in two (finished splits).");
        _splitCopied = _meter.CreateCounter<long>("memoryfabric.tenant_index.split.copied", "{item}", "Items splits copied from their source shards to the halves.");
        _offloaded = _meter.CreateCounter<long>("memoryfabric.tenant_index.offloaded", "{vector}",
            "Turn vectors large agents dropped from their activations because the shards hold them (searched there from then on).");
    }

    internal void PendingChanged(long delta)
    {
        if (delta != 0)
        {
            _pending.Add(delta);
        }
    }

    internal void Shipped(int count, string operation)
    {
        if (count > 0)
        {
            _shipped.Add(count, new KeyValuePair<string, object?>("operation", operation));
        }
    }

    internal void Failed() => _failures.Add(1);

    internal void SplitCopied(int count)
    {
        if (count > 0)
        {
            _splitCopied.Add(count);
        }
    }

    internal void SplitFinished() => _splits.Add(1);

    internal void Offloaded(int count)
    {
        if (count > 0)
        {
            _offloaded.Add(count);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
