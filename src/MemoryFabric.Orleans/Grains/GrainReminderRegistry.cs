using MemoryFabric.Runtime;
using FabricReminderEntry = MemoryFabric.Runtime.ReminderEntry;

namespace MemoryFabric.Orleans.Grains;

/// <summary>An actor's <see cref="IReminderRegistry"/> over Orleans reminders (durable in the silo's reminder table);
/// a due reminder reaches the actor through <see cref="ActorGrain{TActor}.ReceiveReminder"/>.</summary>
internal sealed class GrainReminderRegistry : IReminderRegistry
{
    private readonly Grain _grain;
    private readonly ActorId _actorId;
    private readonly Func<Func<Task>, Task> _runOnGrain;
    private readonly IReminderTable? _table;
    private readonly TimeProvider _time;

    public GrainReminderRegistry(Grain grain, ActorId actorId, Func<Func<Task>, Task> runOnGrain, IReminderTable? table, TimeProvider time)
    {
        _grain = grain;
        _actorId = actorId;
        _runOnGrain = runOnGrain;
        _table = table;
        _time = time;
    }

    public Task RegisterOrUpdateAsync(string name, TimeSpan dueTime, TimeSpan period, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        cancellationToken.ThrowIfCancellationRequested();
        return _runOnGrain(() => _grain.RegisterOrUpdateReminder(name, dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime, period));
    }

    public Task UnregisterAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return _runOnGrain(async () =>
        {
            if (await _grain.GetReminder(name) is { } reminder)
            {
                await _grain.UnregisterReminder(reminder);
            }
        });
    }

    public async Task<IReadOnlyList<FabricReminderEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        if (_table is null)
        {
            throw new NotSupportedException("Listing reminders needs the silo's IReminderTable service.");
        }

        var rows = await _table.ReadRows(_grain.GetGrainId());
        var now = _time.GetUtcNow();
        return rows.Reminders.Select(r =>
        {
            var start = new DateTimeOffset(DateTime.SpecifyKind(r.StartAt, DateTimeKind.Utc));
            var next = start;
            if (next < now && r.Period > TimeSpan.Zero)
            {
                var periods = (long)Math.Ceiling((now - start).Ticks / (double)r.Period.Ticks);
                next = start + TimeSpan.FromTicks(periods * r.Period.Ticks);
            }

            return new FabricReminderEntry(_actorId, r.ReminderName, next, r.Period);
        }).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    public Task UnregisterAllAsync(CancellationToken cancellationToken = default) =>
        _runOnGrain(async () =>
        {
            foreach (var reminder in await _grain.GetReminders())
            {
                await _grain.UnregisterReminder(reminder);
            }
        });
}
