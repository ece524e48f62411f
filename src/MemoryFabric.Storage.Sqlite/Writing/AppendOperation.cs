using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Storage.Sqlite.Writing;

/// <summary>Appends journal entries to an actor, all or none.</summary>
internal sealed class AppendOperation : WriteOperation<long>
{
    private readonly ActorId _actorId;
    private readonly IReadOnlyList<ReadOnlyMemory<byte>> _entries;

    /// <summary>Creates the operation.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="entries">The entries (read by the writer before the caller's task completes).</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public AppendOperation(ActorId actorId, IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        _actorId = actorId;
        _entries = entries;
        long size = 64;
        for (var i = 0; i < entries.Count; i++)
        {
            size += entries[i].Length + 32;
        }

        Size = size;
    }

    /// <inheritdoc />
    public override long Size { get; }

    /// <inheritdoc />
    public override void Execute(WriterSession session)
    {
        var sequence = session.GetLastSequence(_actorId);
        if (_entries.Count > 0)
        {
            var insert = session.InsertJournal;
            for (var i = 0; i < _entries.Count; i++)
            {
                sequence++;
                WriterSession.Bind(insert, _actorId.Type, _actorId.Key, sequence, WriterSession.AsArray(_entries[i])).ExecuteNonQuery();
            }

            WriterSession.ReleaseValues(insert); // the prepared statement does not keep the last entry's array alive

            session.SetLastSequence(_actorId, sequence);
        }

        Result = sequence;
    }
}
