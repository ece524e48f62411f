namespace MemoryFabric.Runtime.Reminders;

/// <summary>One reminder in the <see cref="ReminderService"/>: its current schedule and the gate that orders the
/// store writes made for it.</summary>
internal sealed class ReminderSlot
{
    /// <summary>Creates an empty slot.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="name">The reminder's name.</param>
    public ReminderSlot(ActorId actorId, string name)
    {
        ActorId = actorId;
        Name = name;
    }

    /// <summary>The actor.</summary>
    public ActorId ActorId { get; }

    /// <summary>The reminder's name.</summary>
    public string Name { get; }

    /// <summary>The stored schedule; <see langword="null"/> while not (or no longer) stored. Guarded by the service's
    /// lock.</summary>
    public ReminderEntry? Entry { get; set; }

    /// <summary>Bumped at every change of <see cref="Entry"/>; stale queue entries and firings compare it. Guarded by
    /// the service's lock.</summary>
    public long Version { get; set; }

    /// <summary>Whether a firing is under way. Guarded by the service's lock.</summary>
    public bool InFlight { get; set; }

    /// <summary>Held while the reminder's row is written, so writes for one reminder land in order.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);
}
