using System.Diagnostics.Metrics;
using MemoryFabric.Orleans.Diagnostics;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Orleans.Tests;

/// <summary><see cref="StorageFullMonitor"/> through the store wrapper every silo's store gets: the first refused write
/// sets the condition (one warning, the gauge at 1), more refusals log nothing, a write that succeeds clears it (one
/// information line, the gauge at 0); reads and other failures change nothing.</summary>
public sealed class StorageFullMonitorTests
{
    private static readonly ActorId Agent = new("agent", "acme/a");

    [Fact]
    public async Task The_condition_is_set_by_a_refused_write_cleared_by_a_successful_one_and_logged_once_each_way()
    {
        var logger = new ListLogger<StorageFullMonitor>();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var gauge = new GaugeReader(meters, "memoryfabric.storage.full");
        using var monitor = new StorageFullMonitor(meters, logger) { ClearAfter = TimeSpan.Zero, ProbeInterval = TimeSpan.FromHours(1) };
        var inner = new FillableStore { Full = true };
        IActorStateStore store = new StorageFullTrackingStore(inner, monitor);
        Assert.Equal(0, gauge.Read());

        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<StorageFullException>(() => store.AppendAsync(Agent, [new byte[] { 1 }]));
        }

        await Assert.ThrowsAsync<StorageFullException>(() => store.WriteSnapshotAsync(Agent, new byte[] { 1 }, 0, 0));
        Assert.True(monitor.IsFull);
        Assert.NotNull(monitor.Since);
        Assert.Equal(1, gauge.Read());
        await store.LoadAsync(Agent); // a read does not clear it
        Assert.True(monitor.IsFull);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Storage is full", warning.Message, StringComparison.Ordinal);

        inner.Full = false;
        Assert.Equal(1, await store.AppendAsync(Agent, [new byte[] { 1 }]));
        Assert.False(monitor.IsFull);
        Assert.Null(monitor.Since);
        Assert.Equal(0, gauge.Read());
        await store.AppendAsync(Agent, [new byte[] { 2 }]);
        Assert.Equal(2, logger.Entries.Count);
        Assert.Equal(LogLevel.Information, logger.Entries[1].Level);
        Assert.Contains("6 writes refused", logger.Entries[1].Message, StringComparison.Ordinal);

        // Any other failure is no "full".
        inner.Fail = new InvalidOperationException("boom");
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync(Agent, [new byte[] { 3 }]));
        Assert.False(monitor.IsFull);
    }

    [Fact]
    public async Task Successes_soon_after_a_refusal_do_not_clear_it_and_the_probe_notices_space_returning_without_traffic()
    {
        var logger = new ListLogger<StorageFullMonitor>();
        using var monitor = new StorageFullMonitor(logger: logger) { ClearAfter = TimeSpan.FromHours(1), ProbeInterval = TimeSpan.FromMilliseconds(50) };
        var inner = new FillableStore { Full = true };
        IActorStateStore store = new StorageFullTrackingStore(inner, monitor);
        await Assert.ThrowsAsync<StorageFullException>(() => store.AppendAsync(Agent, [new byte[] { 1 }]));
        inner.Full = false;
        await store.AppendAsync(Agent, [new byte[] { 1 }]); // fits, just after a refusal: no flapping
        Assert.True(monitor.IsFull);
        Assert.Single(logger.Entries);

        // No traffic at all (a server that is not ready gets none): the probe writes, and clears it once allowed.
        using var probing = new StorageFullMonitor(logger: logger) { ClearAfter = TimeSpan.FromMilliseconds(100), ProbeInterval = TimeSpan.FromMilliseconds(50) };
        var probed = new FillableStore { Full = true };
        IActorStateStore quiet = new StorageFullTrackingStore(probed, probing);
        await Assert.ThrowsAsync<StorageFullException>(() => quiet.AppendAsync(Agent, [new byte[] { 1 }]));
        await Task.Delay(300);
        Assert.True(probing.IsFull, "the probe's writes are refused too while full");
        probed.Full = false;
        await Support.Eventually.TrueAsync(() => Task.FromResult(!probing.IsFull), "the probe to clear the condition");
        Assert.Empty(await probed.ListKeysAsync("memoryfabric.storage-probe", ""));
    }

    [Fact]
    public void A_wrapped_refusal_is_found()
    {
        var full = new StorageFullException("full");
        Assert.Same(full, StorageFullException.Find(new InvalidOperationException("outer", new AggregateException(full))));
        Assert.Null(StorageFullException.Find(new InvalidOperationException("outer")));
    }

    private sealed class FillableStore : IActorStateStore
    {
        private readonly InMemoryActorStateStore _inner = new();

        public bool Full { get; set; }

        public Exception? Fail { get; set; }

        public Task<ActorState> LoadAsync(ActorId actorId, CancellationToken cancellationToken = default) => _inner.LoadAsync(actorId, cancellationToken);

        public Task<long> AppendAsync(ActorId actorId, IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default) =>
            Refusal() is { } e ? Task.FromException<long>(e) : _inner.AppendAsync(actorId, entries, cancellationToken);

        public Task<long> WriteSnapshotAsync(ActorId actorId, ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default) =>
            Refusal() is { } e ? Task.FromException<long>(e) : _inner.WriteSnapshotAsync(actorId, snapshot, journalSequence, expectedVersion, cancellationToken);

        public Task ClearAsync(ActorId actorId, CancellationToken cancellationToken = default) =>
            Refusal() is { } e ? Task.FromException(e) : _inner.ClearAsync(actorId, cancellationToken);

        public Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, CancellationToken cancellationToken = default) =>
            _inner.ListKeysAsync(actorType, keyPrefix, cancellationToken);

        private Exception? Refusal() => Full ? new StorageFullException("The test disk is full; nothing was stored.") : Fail;
    }

    // Reads a gauge on the fabric's meter made by one meter factory (not another test's silo).
    private sealed class GaugeReader : IDisposable
    {
        private readonly MeterListener _listener = new();
        private int _value = -1;

        public GaugeReader(IMeterFactory factory, string name)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == FabricGrainMetrics.MeterName && instrument.Name == name && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, value, _, _) => _value = value);
            _listener.Start();
        }

        public int Read()
        {
            _listener.RecordObservableInstruments();
            return _value;
        }

        public void Dispose() => _listener.Dispose();
    }
}
