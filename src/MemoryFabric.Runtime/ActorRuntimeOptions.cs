namespace MemoryFabric.Runtime;

/// <summary>The configuration of an <see cref="ActorRuntime"/>.</summary>
public sealed class ActorRuntimeOptions
{
    /// <summary>An activation that received no call for this long is deactivated (<see cref="DeactivationReason.Idle"/>).
    /// 15 minutes by default.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for. One minute by default.</summary>
    public TimeSpan IdleScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The cap on active actors: activating one more deactivates the least recently used activations that are
    /// not busy (<see cref="DeactivationReason.Capacity"/>). A soft cap: when every activation is busy, the runtime
    /// goes over it rather than wait. 10,000 by default.</summary>
    public int MaxActiveActors { get; set; } = 10_000;

    /// <summary>How many reminders may be delivered at once (after a restart, many can be due together). 64 by
    /// default.</summary>
    public int MaxConcurrentReminders { get; set; } = 64;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(IdleTimeout, TimeSpan.Zero, nameof(IdleTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(IdleScanInterval, TimeSpan.Zero, nameof(IdleScanInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxActiveActors, 1, nameof(MaxActiveActors));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentReminders, 1, nameof(MaxConcurrentReminders));
    }
}
