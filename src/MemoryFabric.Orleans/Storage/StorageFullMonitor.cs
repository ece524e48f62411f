using System.Diagnostics.Metrics;
using MemoryFabric.Orleans.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MemoryFabric.Orleans.Storage;

/// <summary>
/// Whether this silo's state store currently refuses writes for lack of space: set by a write that fails with
/// <see cref="StorageFullException"/>, cleared by a write that succeeds once no write was refused for
/// <see cref="ClearAfter"/> (so that writes that still fit near the limit do not flip it on and off), so that writes
/// resume without a restart. While it is set, a probe write is tried every <see cref="ProbeInterval"/>: a server that
/// is not ready gets no traffic, and the probe is what notices that space returned. Each change is logged once (a
/// warning when it starts, information when it clears: never per request) and shown by the gauge
/// <c>memoryfabric.storage.full</c> (0 or 1) on the meter <see cref="FabricGrainMetrics.MeterName"/>. The server's
/// readiness reads <see cref="IsFull"/>.
/// </summary>
public sealed partial class StorageFullMonitor : IDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Meter? _ownedMeter;
    private readonly Lock _gate = new();
    private volatile bool _full;
    private DateTimeOffset? _since;
    private DateTimeOffset _lastRefusal;
    private long _refused;
    private Func<Task>? _probe;
    private ITimer? _probeTimer;
    private int _probing;
    private bool _disposed;

    /// <summary>Creates the monitor and its gauge.</summary>
    /// <param name="meterFactory">Creates the meter (from dependency injection); a meter owned by this object when
    /// <see langword="null"/>.</param>
    /// <param name="logger">Where the start and the end of the condition are logged.</param>
    /// <param name="time">The clock.</param>
    public StorageFullMonitor(IMeterFactory? meterFactory = null, ILogger<StorageFullMonitor>? logger = null, TimeProvider? time = null)
    {
        _logger = logger ?? NullLogger<StorageFullMonitor>.Instance;
        _time = time ?? TimeProvider.System;
        Meter meter;
        if (meterFactory is null)
        {
            meter = _ownedMeter = new Meter(FabricGrainMetrics.MeterName);
        }
        else
        {
            meter = meterFactory.Create(new MeterOptions(FabricGrainMetrics.MeterName));
        }

        meter.CreateObservableGauge(
            "memoryfabric.storage.full",
            () => _full ? 1 : 0,
            unit: null,
            description: "1 while the state store refuses writes for lack of space (writes answer 507, /readyz 503), else 0.");
    }

    /// <summary>How long after the last refused write a successful one clears the condition. Five seconds by
    /// default.</summary>
    public TimeSpan ClearAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the probe write is tried while the store is full. Five seconds by default.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the store refuses writes for lack of space.</summary>
    public bool IsFull => _full;

    /// <summary>Since when the store is full (<see langword="null"/> when it is not).</summary>
    public DateTimeOffset? Since
    {
        get
        {
            lock (_gate)
            {
                return _since;
            }
        }
    }

    /// <summary>Records a write refused for lack of space; logs the start of the condition once and starts the
    /// probe.</summary>
    /// <param name="exception">The refusal.</param>
    public void ReportFull(StorageFullException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        lock (_gate)
        {
            _refused++;
            _lastRefusal = _time.GetUtcNow();
            if (_full)
            {
                return;
            }

            _since = _lastRefusal;
            _refused = 1;
            _full = true;
            if (_probe is not null && !_disposed)
            {
                _probeTimer ??= _time.CreateTimer(static s => ((StorageFullMonitor)s!).Probe(), this, ProbeInterval, ProbeInterval);
            }
        }

        LogFull(_logger, exception.Message);
    }

    /// <summary>Records a write that succeeded; clears the condition (and logs it once) when it was full and no write
    /// was refused for <see cref="ClearAfter"/>.</summary>
    public void ReportWritten()
    {
        if (!_full)
        {
            return; // the common case: one volatile read
        }

        var now = _time.GetUtcNow();
        DateTimeOffset since;
        long refused;
        lock (_gate)
        {
            if (!_full || now - _lastRefusal < ClearAfter)
            {
                return;
            }

            since = _since ?? now;
            refused = _refused;
            _full = false;
            _since = null;
            _probeTimer?.Dispose();
            _probeTimer = null;
        }

        var seconds = (now - since).TotalSeconds;
        LogCleared(_logger, seconds, refused);
    }

    /// <summary>Sets the probe: a small write to the store, reported like any other (its success clears the
    /// condition, a refusal keeps it). Run every <see cref="ProbeInterval"/> while the store is full.</summary>
    /// <param name="probe">The probe.</param>
    public void SetProbe(Func<Task> probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        lock (_gate)
        {
            _probe = probe;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _probeTimer?.Dispose();
            _probeTimer = null;
        }

        _ownedMeter?.Dispose();
    }

    private void Probe()
    {
        Func<Task>? probe;
        lock (_gate)
        {
            probe = _full && !_disposed ? _probe : null;
        }

        if (probe is null || Interlocked.Exchange(ref _probing, 1) != 0)
        {
            return;
        }

        _ = RunProbeAsync(probe);
    }

    private async Task RunProbeAsync(Func<Task> probe)
    {
        try
        {
            await probe().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed probe (full again, the store closed) is reported by the store or tried again.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage is full: writes are refused (HTTP 507) and the server reports itself not ready until writes succeed again; reads keep working. Free space or grow the volume. ({Reason})")]
    private static partial void LogFull(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage accepts writes again after {Seconds:F0} s full ({Refused} writes refused meanwhile)")]
    private static partial void LogCleared(ILogger logger, double seconds, long refused);
}
