using MemoryFabric.Runtime.Tests.Support;

namespace MemoryFabric.Runtime.Tests.Actors;

/// <summary>An actor with reminders; records every tick in the probe.</summary>
internal sealed class ReminderActor : IRemindable, IActorLifecycle
{
    private readonly IActorContext _context;
    private readonly ActorProbe _probe;

    public ReminderActor(IActorContext context, ActorProbe probe)
    {
        _context = context;
        _probe = probe;
    }

    public IActorContext Context => _context;

    public Func<string, Task>? OnReminder { get; set; }

    public Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _probe.Activated(_context.Id.Key);
        return Task.CompletedTask;
    }

    public Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _probe.Deactivated(_context.Id.Key, reason);
        return Task.CompletedTask;
    }

    public async Task ReceiveReminderAsync(string reminderName, ReminderTick tick, CancellationToken cancellationToken)
    {
        _probe.Reminders.Enqueue((_context.Id.Key, reminderName, tick));
        if (reminderName.StartsWith("fail", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("reminder failed");
        }

        if (OnReminder is { } handler)
        {
            await handler(reminderName);
        }
    }
}
