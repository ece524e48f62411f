namespace MemoryFabric.Storage.Sqlite.Tests.Support;

/// <summary>
/// A clock that moves only when told: <see cref="Advance"/> moves it forward, firing every timer that comes due on the
/// way, in due order, at its due time (a periodic timer fires once per period crossed). Timers fire on the thread that
/// calls <see cref="Advance"/>; a timer due now (due time zero) fires on the next <see cref="Advance"/>, even of zero.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _timestamp;
    private long _nextTimerId;

    /// <summary>Creates the clock.</summary>
    /// <param name="start">The start time; 2025-01-01 UTC by default.</param>
    public ManualTimeProvider(DateTimeOffset? start = null) =>
        _now = start ?? new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>The number of live timers.</summary>
    public int TimerCount
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.DueAt is not null);
            }
        }
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return _timestamp;
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ManualTimer timer;
        lock (_lock)
        {
            timer = new ManualTimer(this, callback, state, _nextTimerId++);
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, firing the timers that come due.</summary>
    /// <param name="delta">How far.</param>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + delta;
        }

        while (true)
        {
            ManualTimer? next = null;
            lock (_lock)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueAt is { } due && due <= target
                        && (next is null || due < next.DueAt || (due == next.DueAt && timer.Id < next.Id)))
                    {
                        next = timer;
                    }
                }

                if (next is null)
                {
                    MoveTo(target);
                    return;
                }

                MoveTo(next.DueAt!.Value);
                next.DueAt = next.Period > TimeSpan.Zero && next.Period != Timeout.InfiniteTimeSpan ? _now + next.Period : null;
            }

            next.Fire();
        }
    }

    private void MoveTo(DateTimeOffset time)
    {
        if (time > _now)
        {
            _timestamp += (time - _now).Ticks;
            _now = time;
        }
    }

    private sealed class ManualTimer : ITimer
    {
        private readonly ManualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;

        public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state, long id)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
            Id = id;
        }

        public long Id { get; }

        // Guarded by the owner's lock.
        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._lock)
            {
                if (!_owner._timers.Contains(this))
                {
                    return false;
                }

                Period = period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : _owner._now + dueTime;
                return true;
            }
        }

        public void Fire() => _callback(_state);

        public void Dispose()
        {
            lock (_owner._lock)
            {
                _owner._timers.Remove(this);
                DueAt = null;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
