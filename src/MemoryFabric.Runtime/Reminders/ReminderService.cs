using MemoryFabric.Runtime.Diagnostics;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Runtime.Reminders;

/// <summary>
/// Every actor's durable reminders: a mirror of the <see cref="IReminderStore"/> in memory, ordered by due time, and
/// one <see cref="ITimer"/> set to the earliest. A due reminder is delivered as a turn of its actor (activating it);
/// then its next due time advances by whole periods past now and is stored, whether the delivery failed or not. A
/// reminder that came due while the runtime was down fires once on start, with its original due time.
/// </summary>
internal sealed class ReminderService : IAsyncDisposable
{
    /// <summary>The shortest period.</summary>
    public static readonly TimeSpan MinimumPeriod = TimeSpan.FromSeconds(1);

    // Re-check at least this often, so a jump of the wall clock is noticed.
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMinutes(1);

    private readonly ActorRuntime _runtime;
    private readonly IReminderStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<ActorId, Dictionary<string, ReminderSlot>> _byActor = [];
    private readonly PriorityQueue<(ReminderSlot Slot, long Version), DateTimeOffset> _due = new();
    private readonly HashSet<Task> _firings = [];
    private readonly SemaphoreSlim _loadGate = new(1, 1);
    private readonly SemaphoreSlim _deliverySlots;
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _loaded;
    private int _count;
    private bool _started;
    private bool _disposed;
    private ITimer? _timer;

    /// <summary>Creates the service; nothing fires before <see cref="StartAsync"/>.</summary>
    /// <param name="runtime">The runtime that delivers reminders.</param>
    /// <param name="store">The store.</param>
    /// <param name="time">The clock.</param>
    /// <param name="maxConcurrentDeliveries">How many reminders may be delivered at once.</param>
    public ReminderService(ActorRuntime runtime, IReminderStore store, TimeProvider time, int maxConcurrentDeliveries)
    {
        _runtime = runtime;
        _store = store;
        _time = time;
        _logger = runtime.Logger;
        _deliverySlots = new SemaphoreSlim(maxConcurrentDeliveries, maxConcurrentDeliveries);
    }

    /// <summary>The number of reminders.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Loads the reminders, fires those already due and starts the timer.</summary>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <returns>The number of reminders.</returns>
    public async Task<int> StartAsync(CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_started)
            {
                _started = true;
                using (ExecutionContext.SuppressFlow())
                {
                    _timer = _time.CreateTimer(static s => ((ReminderService)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
            }
        }

        OnTimer();
        return Count;
    }

    /// <summary>Stops the timer, drops deliveries not yet started and waits for those under way.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task[] firings;
        lock (_lock)
        {
            _started = false;
            _timer?.Dispose();
            _timer = null;
            firings = [.. _firings];
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(firings).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
        _loadGate.Dispose();
        _deliverySlots.Dispose();
    }

    /// <summary>Creates or replaces a reminder; durable when the task completes.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="name">The reminder's name.</param>
    /// <param name="dueTime">The delay before the first firing.</param>
    /// <param name="period">The period.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task RegisterAsync(ActorId actorId, string name, TimeSpan dueTime, TimeSpan period, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        if (period < MinimumPeriod)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"A reminder's period must be at least {MinimumPeriod}.");
        }

        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        ReminderSlot slot;
        lock (_lock)
        {
            slot = GetOrAddSlotLocked(actorId, name);
        }

        await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var entry = new ReminderEntry(actorId, name, _time.GetUtcNow() + dueTime, period);
            await _store.UpsertAsync(entry, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                SetEntryLocked(slot, entry);
                PushLocked(slot);
            }
        }
        finally
        {
            slot.Gate.Release();
        }

        Arm();
    }

    /// <summary>Removes a reminder; durable when the task completes.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="name">The reminder's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task UnregisterAsync(ActorId actorId, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        ReminderSlot? slot = null;
        lock (_lock)
        {
            if (_byActor.TryGetValue(actorId, out var slots))
            {
                slots.TryGetValue(name, out slot);
            }
        }

        if (slot is null)
        {
            return;
        }

        await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _store.DeleteAsync(actorId, name, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                ClearEntryLocked(slot);
            }
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>Removes every reminder of an actor; durable when the task completes.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task UnregisterAllAsync(ActorId actorId, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        ReminderSlot[] slots = [];
        lock (_lock)
        {
            if (_byActor.TryGetValue(actorId, out var byName))
            {
                slots = [.. byName.Values];
            }
        }

        var held = 0;
        try
        {
            foreach (var slot in slots)
            {
                await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                held++;
            }

            await _store.DeleteAllAsync(actorId, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                foreach (var slot in slots)
                {
                    ClearEntryLocked(slot);
                }

                if (_byActor.TryGetValue(actorId, out var byName) && byName.Values.All(s => s.Entry is null))
                {
                    _byActor.Remove(actorId);
                }
            }
        }
        finally
        {
            for (var i = 0; i < held; i++)
            {
                slots[i].Gate.Release();
            }
        }
    }

    /// <summary>Lists an actor's reminders.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The reminders, by name.</returns>
    public async Task<IReadOnlyList<ReminderEntry>> ListAsync(ActorId actorId, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_byActor.TryGetValue(actorId, out var slots))
            {
                return [];
            }

            return [.. slots.Values.Select(s => s.Entry).OfType<ReminderEntry>().OrderBy(e => e.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>The next due time after <paramref name="now"/>: <paramref name="due"/> plus whole periods.</summary>
    /// <param name="due">The due time that fired.</param>
    /// <param name="period">The period.</param>
    /// <param name="now">Now.</param>
    /// <returns>The next due time, later than <paramref name="now"/>.</returns>
    internal static DateTimeOffset NextDueAfter(DateTimeOffset due, TimeSpan period, DateTimeOffset now)
    {
        if (now < due)
        {
            return due + period;
        }

        var periods = ((now - due).Ticks / period.Ticks) + 1;
        return due + TimeSpan.FromTicks(periods * period.Ticks);
    }

    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        await _loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loaded)
            {
                return;
            }

            var entries = await _store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                foreach (var entry in entries)
                {
                    var slot = GetOrAddSlotLocked(entry.ActorId, entry.Name);
                    SetEntryLocked(slot, entry);
                    PushLocked(slot);
                }
            }

            _loaded = true;
        }
        finally
        {
            _loadGate.Release();
        }
    }

    private void OnTimer()
    {
        List<(ReminderSlot Slot, ReminderEntry Entry, long Version)> due = [];
        lock (_lock)
        {
            if (!_started)
            {
                return;
            }

            var now = _time.GetUtcNow();
            while (_due.TryPeek(out var queued, out var when) && when <= now)
            {
                _due.Dequeue();
                var slot = queued.Slot;
                if (slot.Version != queued.Version || slot.Entry is not { } entry || slot.InFlight)
                {
                    continue;
                }

                slot.InFlight = true;
                due.Add((slot, entry, slot.Version));
            }

            foreach (var (slot, entry, version) in due)
            {
                var firing = FireAsync(slot, entry, version);
                if (!firing.IsCompleted)
                {
                    _firings.Add(firing);
                    _ = firing.ContinueWith(
                        static (t, s) => ((ReminderService)s!).Untrack(t),
                        this,
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }
            }
        }

        Arm();
    }

    private void Untrack(Task firing)
    {
        lock (_lock)
        {
            _firings.Remove(firing);
        }
    }

    private async Task FireAsync(ReminderSlot slot, ReminderEntry entry, long version)
    {
        // Leave the timer's thread (and the lock) before anything else.
        await Task.Yield();
        try
        {
            await _deliverySlots.WaitAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                slot.InFlight = false;
                PushLocked(slot);
            }

            return;
        }

        try
        {
            var tick = new ReminderTick(entry.NextDue, _time.GetUtcNow(), entry.Period);
            await _runtime.DeliverReminderAsync(entry.ActorId, entry.Name, tick).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failing reminder is logged; its schedule advances.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RuntimeLog.ReminderFailed(_logger, entry.ActorId, entry.Name, ex);
        }
        finally
        {
            _deliverySlots.Release();
        }

        _runtime.Metrics.ReminderFired(entry.ActorId.Type, entry.Name);
        await AdvanceAsync(slot, entry, version).ConfigureAwait(false);
    }

    private async Task AdvanceAsync(ReminderSlot slot, ReminderEntry fired, long version)
    {
        await slot.Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            ReminderEntry? next = null;
            lock (_lock)
            {
                // Re-registered or removed during the turn: that newer schedule stands.
                if (slot.Version == version && slot.Entry is not null)
                {
                    next = fired with { NextDue = NextDueAfter(fired.NextDue, fired.Period, _time.GetUtcNow()) };
                }
            }

            if (next is not null)
            {
                try
                {
                    await _store.UpsertAsync(next, CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // The schedule advances in memory regardless, so a failing store does not make it fire in a loop.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    RuntimeLog.ReminderPersistFailed(_logger, fired.ActorId, fired.Name, ex);
                }

                lock (_lock)
                {
                    if (slot.Version == version)
                    {
                        SetEntryLocked(slot, next);
                    }
                }
            }
        }
        finally
        {
            slot.Gate.Release();
            lock (_lock)
            {
                slot.InFlight = false;
                PushLocked(slot);
            }
        }

        Arm();
    }

    private void Arm()
    {
        lock (_lock)
        {
            if (!_started || _timer is null)
            {
                return;
            }

            while (_due.TryPeek(out var queued, out _)
                && (queued.Slot.Version != queued.Version || queued.Slot.Entry is null || queued.Slot.InFlight))
            {
                _due.Dequeue();
            }

            if (_due.Count > (2 * _count) + 1024)
            {
                Rebuild();
            }

            if (!_due.TryPeek(out _, out var when))
            {
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return;
            }

            var delay = when - _time.GetUtcNow();
            if (delay < TimeSpan.Zero)
            {
                delay = TimeSpan.Zero;
            }
            else if (delay > MaxTimerDelay)
            {
                delay = MaxTimerDelay;
            }

            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Rebuild()
    {
        _due.Clear();
        foreach (var slots in _byActor.Values)
        {
            foreach (var slot in slots.Values)
            {
                if (!slot.InFlight)
                {
                    PushLocked(slot);
                }
            }
        }
    }

    private ReminderSlot GetOrAddSlotLocked(ActorId actorId, string name)
    {
        var slots = GetSlotsLocked(actorId);
        if (!slots.TryGetValue(name, out var slot))
        {
            slot = new ReminderSlot(actorId, name);
            slots.Add(name, slot);
        }

        return slot;
    }

    private void SetEntryLocked(ReminderSlot slot, ReminderEntry entry)
    {
        // The slot may have left the dictionary (every reminder of the actor removed) while this write waited.
        var slots = GetSlotsLocked(slot.ActorId);
        if (!slots.TryGetValue(slot.Name, out var current) || !ReferenceEquals(current, slot))
        {
            if (current is not null)
            {
                ClearEntryLocked(current);
            }

            slots[slot.Name] = slot;
        }

        if (slot.Entry is null)
        {
            _count++;
        }

        slot.Entry = entry;
        slot.Version++;
    }

    private void ClearEntryLocked(ReminderSlot slot)
    {
        if (slot.Entry is not null)
        {
            _count--;
        }

        slot.Entry = null;
        slot.Version++;
    }

    private Dictionary<string, ReminderSlot> GetSlotsLocked(ActorId actorId)
    {
        if (!_byActor.TryGetValue(actorId, out var slots))
        {
            slots = new Dictionary<string, ReminderSlot>(StringComparer.Ordinal);
            _byActor.Add(actorId, slots);
        }

        return slots;
    }

    private void PushLocked(ReminderSlot slot)
    {
        if (slot.Entry is { } entry && !slot.InFlight)
        {
            _due.Enqueue((slot, slot.Version), entry.NextDue);
        }
    }
}
