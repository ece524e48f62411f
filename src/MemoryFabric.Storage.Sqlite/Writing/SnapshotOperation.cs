using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Storage.Sqlite.Writing;

/// <summary>Writes a snapshot if the stored version is the expected one, and drops the journal rows it covers.</summary>
internal sealed class SnapshotOperation : WriteOperation<long>
{
    private readonly ActorId _actorId;
    private readonly ReadOnlyMemory<byte> _snapshot;
    private readonly long _journalSequence;
    private readonly long _expectedVersion;

    /// <summary>Creates the operation.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="snapshot">The snapshot bytes.</param>
    /// <param name="journalSequence">The last journal sequence it covers.</param>
    /// <param name="expectedVersion">The version it replaces.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public SnapshotOperation(ActorId actorId, ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        _actorId = actorId;
        _snapshot = snapshot;
        _journalSequence = journalSequence;
        _expectedVersion = expectedVersion;
    }

    /// <inheritdoc />
    public override long Size => 64 + _snapshot.Length;

    /// <inheritdoc />
    public override void Execute(WriterSession session)
    {
        var (version, covered) = session.GetSnapshotInfo(_actorId);
        if (version != _expectedVersion)
        {
            throw new ActorStateConflictException(_actorId, _expectedVersion, version);
        }

        if (_journalSequence < covered)
        {
            throw new ArgumentException(
                $"The snapshot of {_actorId} already covers the journal up to {covered}; a new one cannot cover less ({_journalSequence}).");
        }

        var last = session.GetLastSequence(_actorId);
        using (var upsert = session.CreateUpsertSnapshot())
        {
            WriterSession.Bind(upsert, _actorId.Type, _actorId.Key, version + 1, _journalSequence, WriterSession.AsArray(_snapshot)).ExecuteNonQuery();
        }

        WriterSession.Bind(session.DeleteJournalThrough, _actorId.Type, _actorId.Key, _journalSequence).ExecuteNonQuery();
        if (_journalSequence > last)
        {
            session.SetLastSequence(_actorId, _journalSequence);
        }

        Result = version + 1;
    }
}
