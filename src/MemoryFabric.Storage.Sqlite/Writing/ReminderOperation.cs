using MemoryFabric.Runtime;

namespace MemoryFabric.Storage.Sqlite.Writing;

/// <summary>Writes or deletes reminder rows.</summary>
internal sealed class ReminderOperation : WriteOperation<bool>
{
    private readonly ActorId _actorId;
    private readonly string? _name;
    private readonly ReminderEntry? _upsert;

    private ReminderOperation(ActorId actorId, string? name, ReminderEntry? upsert, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        _actorId = actorId;
        _name = name;
        _upsert = upsert;
    }

    /// <summary>Creates or replaces a reminder.</summary>
    /// <param name="reminder">The reminder.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The operation.</returns>
    public static ReminderOperation Upsert(ReminderEntry reminder, CancellationToken cancellationToken) =>
        new(reminder.ActorId, reminder.Name, reminder, cancellationToken);

    /// <summary>Deletes a reminder.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="name">The reminder's name.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The operation.</returns>
    public static ReminderOperation Delete(ActorId actorId, string name, CancellationToken cancellationToken) =>
        new(actorId, name, null, cancellationToken);

    /// <summary>Deletes every reminder of an actor.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The operation.</returns>
    public static ReminderOperation DeleteAll(ActorId actorId, CancellationToken cancellationToken) =>
        new(actorId, null, null, cancellationToken);

    /// <inheritdoc />
    public override void Execute(WriterSession session)
    {
        if (_upsert is { } reminder)
        {
            WriterSession.Bind(
                session.UpsertReminder,
                _actorId.Type,
                _actorId.Key,
                reminder.Name,
                reminder.NextDue.UtcTicks,
                reminder.Period.Ticks).ExecuteNonQuery();
        }
        else if (_name is not null)
        {
            WriterSession.Bind(session.DeleteReminder, _actorId.Type, _actorId.Key, _name).ExecuteNonQuery();
        }
        else
        {
            WriterSession.Bind(session.DeleteReminders, _actorId.Type, _actorId.Key).ExecuteNonQuery();
        }

        Result = true;
    }
}
