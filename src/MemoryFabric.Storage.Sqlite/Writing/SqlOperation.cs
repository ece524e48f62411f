using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Writing;

/// <summary>A write of a table beside the grain state (the reminders), run by the writer inside its group-commit
/// transaction: it shares the fsync of the appends committed with it instead of taking the database's write lock
/// for a transaction of its own.</summary>
/// <typeparam name="T">The result.</typeparam>
internal sealed class SqlOperation<T> : WriteOperation<T>
{
    private readonly Func<SqliteConnection, T> _execute;

    /// <summary>Creates the operation.</summary>
    /// <param name="execute">Runs the statements on the writer's connection (inside the open transaction; no
    /// transaction of its own).</param>
    /// <param name="cancellationToken">Cancels the operation while it is queued.</param>
    public SqlOperation(Func<SqliteConnection, T> execute, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        _execute = execute;
    }

    /// <inheritdoc />
    public override void Execute(WriterSession session) => Result = _execute(session.Connection);
}
