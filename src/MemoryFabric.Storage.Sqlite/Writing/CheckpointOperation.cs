using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Writing;

/// <summary>
/// Empties the write-ahead log after a purge: the writer runs it after its group's commit (a checkpoint cannot run
/// inside a transaction) with <c>wal_checkpoint(TRUNCATE)</c>, so the WAL file holds no page of deleted rows. With
/// <c>secure_delete</c> on (the writer's setting) the database file holds none either.
/// </summary>
internal sealed class CheckpointOperation : WriteOperation<bool>
{
    private const int Attempts = 50;

    /// <summary>Creates the operation.</summary>
    /// <param name="cancellationToken">The caller's token.</param>
    public CheckpointOperation(CancellationToken cancellationToken)
        : base(cancellationToken)
    {
    }

    /// <inheritdoc />
    public override void Execute(WriterSession session) => Result = true; // the work is done after the commit

    /// <summary>Checkpoints and truncates the WAL, retrying while readers still use it.</summary>
    /// <param name="connection">The writer's connection, outside any transaction.</param>
    /// <exception cref="InvalidOperationException">Readers kept the WAL busy through every attempt.</exception>
    public static void TruncateWal(SqliteConnection connection)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            using var reader = command.ExecuteReader();
            if (reader.Read() && reader.GetInt64(0) == 0)
            {
                return; // not busy: every frame is in the database file and the WAL is empty
            }

            Thread.Sleep(20);
        }

        throw new InvalidOperationException("The SQLite write-ahead log could not be truncated: readers kept it busy.");
    }
}
