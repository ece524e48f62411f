namespace MemoryFabric.Runtime;

/// <summary>An actor that receives durable reminders.</summary>
public interface IRemindable
{
    /// <summary>Runs as a turn of the actor when a reminder is due (activating the actor if needed).</summary>
    /// <param name="reminderName">The reminder's name.</param>
    /// <param name="tick">When it was due and when it fired.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the reminder is handled.</returns>
    Task ReceiveReminderAsync(string reminderName, ReminderTick tick, CancellationToken cancellationToken);
}

/// <summary>One firing of a reminder.</summary>
/// <param name="DueTime">When it was due.</param>
/// <param name="FiredAt">When it fired; later than <paramref name="DueTime"/> when it was missed while the runtime was
/// down (a missed reminder fires once on start, however many periods it missed).</param>
/// <param name="Period">The reminder's period.</param>
public sealed record ReminderTick(DateTimeOffset DueTime, DateTimeOffset FiredAt, TimeSpan Period);
