using System.Collections.Concurrent;

namespace MemoryFabric.Storage.Sqlite.Tests.Hosting;

/// <summary>A grain that registers one Orleans reminder and records its ticks.</summary>
[Alias("memoryfabric.tests.reminder-probe")]
public interface IReminderProbeGrain : IGrainWithStringKey
{
    /// <summary>Registers (or updates) the reminder <see cref="ReminderProbeGrain.ReminderName"/>.</summary>
    /// <param name="dueTime">When it first fires.</param>
    /// <param name="period">How often it fires after that.</param>
    /// <returns>A task.</returns>
    [Alias("register")]
    Task RegisterAsync(TimeSpan dueTime, TimeSpan period);

    /// <summary>Unregisters the reminder.</summary>
    /// <returns>Whether there was one.</returns>
    [Alias("unregister")]
    Task<bool> UnregisterAsync();
}

/// <summary>Which host (silo process) a tick was delivered in; a singleton of each test host.</summary>
/// <param name="Value">The host's number within the test.</param>
public sealed record HostGeneration(int Value);

/// <summary>One reminder tick as the grain received it.</summary>
/// <param name="Reminder">The reminder's name.</param>
/// <param name="Host">The host that delivered it.</param>
/// <param name="At">When (UTC).</param>
public sealed record Tick(string Reminder, int Host, DateTime At);

/// <summary>Registers a reminder and records its ticks in <see cref="Ticks"/>, by grain key (one key per test).</summary>
/// <param name="host">The host it runs in.</param>
public sealed class ReminderProbeGrain(HostGeneration host) : Grain, IReminderProbeGrain, IRemindable
{
    /// <summary>The reminder's name.</summary>
    public const string ReminderName = "tick";

    /// <summary>The ticks received, by grain key.</summary>
    public static ConcurrentDictionary<string, ConcurrentQueue<Tick>> Ticks { get; } = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task RegisterAsync(TimeSpan dueTime, TimeSpan period) => this.RegisterOrUpdateReminder(ReminderName, dueTime, period);

    /// <inheritdoc />
    public async Task<bool> UnregisterAsync()
    {
        if (await this.GetReminder(ReminderName) is not { } reminder)
        {
            return false;
        }

        await this.UnregisterReminder(reminder);
        return true;
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Ticks.GetOrAdd(this.GetPrimaryKeyString(), _ => new ConcurrentQueue<Tick>()).Enqueue(new Tick(reminderName, host.Value, DateTime.UtcNow));
        return Task.CompletedTask;
    }
}
