using MemoryFabric.Runtime.Reminders;

namespace MemoryFabric.Runtime.Storage;

/// <summary>One actor's view of the <see cref="IActorStateStore"/>; clearing it also removes the actor's
/// reminders.</summary>
internal sealed class ActorStorage : IActorStorage
{
    private readonly ActorId _actorId;
    private readonly IActorStateStore _store;
    private readonly ReminderService _reminders;

    /// <summary>Creates the view.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="store">The store.</param>
    /// <param name="reminders">The reminders.</param>
    public ActorStorage(ActorId actorId, IActorStateStore store, ReminderService reminders)
    {
        _actorId = actorId;
        _store = store;
        _reminders = reminders;
    }

    /// <inheritdoc />
    public Task<ActorState> LoadAsync(CancellationToken cancellationToken = default) =>
        _store.LoadAsync(_actorId, cancellationToken);

    /// <inheritdoc />
    public Task<long> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default) =>
        _store.AppendAsync(_actorId, entries, cancellationToken);

    /// <inheritdoc />
    public Task<long> WriteSnapshotAsync(ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default) =>
        _store.WriteSnapshotAsync(_actorId, snapshot, journalSequence, expectedVersion, cancellationToken);

    /// <inheritdoc />
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        await _store.ClearAsync(_actorId, cancellationToken).ConfigureAwait(false);
        await _reminders.UnregisterAllAsync(_actorId, cancellationToken).ConfigureAwait(false);
    }
}
