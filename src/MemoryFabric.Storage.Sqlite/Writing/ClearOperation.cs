using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Storage.Sqlite.Writing;

/// <summary>Removes an actor's snapshot and journal.</summary>
internal sealed class ClearOperation : WriteOperation<bool>
{
    private readonly ActorId _actorId;

    /// <summary>Creates the operation.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public ClearOperation(ActorId actorId, CancellationToken cancellationToken)
        : base(cancellationToken) => _actorId = actorId;

    /// <inheritdoc />
    public override void Execute(WriterSession session)
    {
        WriterSession.Bind(session.DeleteSnapshot, _actorId.Type, _actorId.Key).ExecuteNonQuery();
        WriterSession.Bind(session.DeleteJournal, _actorId.Type, _actorId.Key).ExecuteNonQuery();
        session.ForgetSequence(_actorId);
        Result = true;
    }
}
