using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

using Orleans.Runtime;

namespace MemoryFabric.Orleans.Diagnostics;

/// <summary>
/// The fabric grains' instruments, on the meter <see cref="MeterName"/>: activations, deactivations, active grains
/// (by <c>actor.type</c>: agent, tenants, guard, vector-shard), reminders fired, call durations (an incoming grain
/// call filter) and storage durations (<see cref="InstrumentedActorStateStore"/>). Orleans' own meters add the
/// silo-level picture.
/// </summary>
public sealed class FabricGrainMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "MemoryFabric.Grains";

    private static readonly double[] DurationBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _activations;
    private readonly Counter<long> _deactivations;
    private readonly Counter<long> _remindersFired;
    private readonly Histogram<double> _callDuration;
    private readonly Histogram<double> _storageDuration;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _active = new(StringComparer.Ordinal);

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">Creates the meter (from dependency injection); a new <see cref="Meter"/> owned by this
    /// object when <see langword="null"/>.</param>
    public FabricGrainMetrics(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(new MeterOptions(MeterName));
        }

        _activations = _meter.CreateCounter<long>(
            "memoryfabric.actor.activations", "{activation}", "Grain activations completed.");
        _deactivations = _meter.CreateCounter<long>(
            "memoryfabric.actor.deactivations", "{deactivation}", "Grain deactivations, by reason.");
        _remindersFired = _meter.CreateCounter<long>(
            "memoryfabric.reminders.fired", "{reminder}", "Reminders delivered to grains.");
        _meter.CreateObservableUpDownCounter(
            "memoryfabric.actor.active", ObserveActive, "{actor}", "Grains active in memory.");
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _callDuration = _meter.CreateHistogram(
            "memoryfabric.actor.call.duration", "s", "The duration of grain calls (one turn, not the wait).", tags: null, advice);
        _storageDuration = _meter.CreateHistogram(
            "memoryfabric.storage.duration", "s", "The duration of grain state storage operations.", tags: null, advice);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    /// <summary>Records a completed activation.</summary>
    /// <param name="actorType">The actor type.</param>
    internal void Activated(string actorType)
    {
        _activations.Add(1, new KeyValuePair<string, object?>("actor.type", actorType));
        Interlocked.Increment(ref _active.GetOrAdd(actorType, static _ => new StrongBox<long>()).Value);
    }

    /// <summary>Records a completed deactivation.</summary>
    /// <param name="actorType">The actor type.</param>
    /// <param name="reason">Why.</param>
    internal void Deactivated(string actorType, DeactivationReason reason)
    {
        _deactivations.Add(
            1,
            new KeyValuePair<string, object?>("actor.type", actorType),
            new KeyValuePair<string, object?>("reason", ReasonTag(reason.ReasonCode)));
        Interlocked.Decrement(ref _active.GetOrAdd(actorType, static _ => new StrongBox<long>()).Value);
    }

    /// <summary>Records a delivered reminder.</summary>
    /// <param name="actorType">The actor type.</param>
    /// <param name="reminder">The reminder's name.</param>
    internal void ReminderFired(string actorType, string reminder) =>
        _remindersFired.Add(
            1,
            new KeyValuePair<string, object?>("actor.type", actorType),
            new KeyValuePair<string, object?>("reminder", reminder));

    /// <summary>Records the duration of a call.</summary>
    /// <param name="actorType">The actor type.</param>
    /// <param name="elapsed">How long it ran.</param>
    internal void CallCompleted(string actorType, TimeSpan elapsed) =>
        _callDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("actor.type", actorType));

    /// <summary>Records the duration of a storage operation.</summary>
    /// <param name="operation"><c>load</c>, <c>append</c>, <c>snapshot</c> or <c>clear</c>.</param>
    /// <param name="elapsed">How long it ran.</param>
    internal void StorageCompleted(string operation, TimeSpan elapsed) =>
        _storageDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("operation", operation));

    private static string ReasonTag(DeactivationReasonCode code) => code switch
    {
        DeactivationReasonCode.ActivationIdle => "idle",
        DeactivationReasonCode.HighMemoryPressure => "capacity",
        DeactivationReasonCode.ShuttingDown or DeactivationReasonCode.Migrating => "shutdown",
        DeactivationReasonCode.ApplicationRequested => "requested",
        _ => "other",
    };

    private IEnumerable<Measurement<long>> ObserveActive()
    {
        foreach (var (type, count) in _active)
        {
            yield return new Measurement<long>(Volatile.Read(ref count.Value), new KeyValuePair<string, object?>("actor.type", type));
        }
    }
}
