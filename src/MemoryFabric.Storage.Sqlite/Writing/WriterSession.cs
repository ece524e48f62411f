using System.Runtime.InteropServices;
using MemoryFabric.Orleans.Storage;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Writing;

/// <summary>
/// The writer connection with its prepared statements, and the cache of each actor's last journal sequence. Used by the
/// writer thread only. Operations run inside a transaction, each in a savepoint; the sequence cache changes an
/// operation made are undone when its savepoint is rolled back.
/// </summary>
internal sealed class WriterSession : IDisposable
{
    private const int MaxCachedSequences = 200_000;

    private readonly SqliteConnection _connection;
    private readonly List<SqliteCommand> _commands = [];
    private readonly Dictionary<ActorId, long> _lastSequence = [];
    private readonly List<(ActorId ActorId, long? Previous)> _undo = [];

    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackToSavepoint;
    private readonly SqliteCommand _maxJournalSequence;
    private readonly SqliteCommand _snapshotInfo;

    /// <summary>Prepares the statements on the writer connection.</summary>
    /// <param name="connection">The writer connection (owned from now on).</param>
    public WriterSession(SqliteConnection connection)
    {
        _connection = connection;
        _begin = Prepare("BEGIN IMMEDIATE;");
        _commit = Prepare("COMMIT;");
        _rollback = Prepare("ROLLBACK;");
        _savepoint = Prepare("SAVEPOINT op;");
        _release = Prepare("RELEASE op;");
        _rollbackToSavepoint = Prepare("ROLLBACK TO op;");
        _maxJournalSequence = Prepare("SELECT COALESCE(MAX(seq), 0) FROM journal WHERE actor_type = $type AND actor_key = $key;", "$type", "$key");
        _snapshotInfo = Prepare("SELECT version, journal_seq FROM snapshots WHERE actor_type = $type AND actor_key = $key;", "$type", "$key");
        InsertJournal = Prepare("INSERT INTO journal (actor_type, actor_key, seq, data) VALUES ($type, $key, $seq, $data);", "$type", "$key", "$seq", "$data");
        DeleteJournalThrough = Prepare("DELETE FROM journal WHERE actor_type = $type AND actor_key = $key AND seq <= $seq;", "$type", "$key", "$seq");
        DeleteSnapshot = Prepare("DELETE FROM snapshots WHERE actor_type = $type AND actor_key = $key;", "$type", "$key");
        DeleteJournal = Prepare("DELETE FROM journal WHERE actor_type = $type AND actor_key = $key;", "$type", "$key");
    }

    /// <summary>The writer's connection, for <see cref="SqlOperation{T}"/>.</summary>
    public SqliteConnection Connection => _connection;

    /// <summary>Inserts a journal row: $type, $key, $seq, $data.</summary>
    public SqliteCommand InsertJournal { get; }

    /// <summary>Deletes journal rows up to a sequence: $type, $key, $seq.</summary>
    public SqliteCommand DeleteJournalThrough { get; }

    /// <summary>Deletes an actor's snapshot: $type, $key.</summary>
    public SqliteCommand DeleteSnapshot { get; }

    /// <summary>Deletes an actor's journal: $type, $key.</summary>
    public SqliteCommand DeleteJournal { get; }


    /// <summary>Binds a statement's parameters in order.</summary>
    /// <param name="command">The statement.</param>
    /// <param name="values">The values.</param>
    /// <returns>The statement.</returns>
    public static SqliteCommand Bind(SqliteCommand command, params ReadOnlySpan<object> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        return command;
    }

    /// <summary>The bytes of a buffer as an array, without a copy when the buffer is a whole array.</summary>
    /// <param name="data">The buffer.</param>
    /// <returns>The array.</returns>
    public static byte[] AsArray(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();

    /// <summary>Starts the group's transaction.</summary>
    public void Begin() => _begin.ExecuteNonQuery();

    /// <summary>Commits the group's transaction (durable on return: <c>synchronous=FULL</c>).</summary>
    public void Commit() => _commit.ExecuteNonQuery();

    /// <summary>Rolls the group's transaction back, if one is open, and forgets the cached sequences (they may
    /// count rows that were never committed).</summary>
    public void RollbackAll()
    {
        _lastSequence.Clear();
        _undo.Clear();
        try
        {
            _rollback.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // No transaction is open: SQLite rolled it back already.
        }
    }

    /// <summary>Starts an operation's savepoint.</summary>
    public void BeginOperation()
    {
        _undo.Clear();
        _savepoint.ExecuteNonQuery();
    }

    /// <summary>Keeps an operation's changes.</summary>
    public void EndOperation() => _release.ExecuteNonQuery();

    /// <summary>Undoes an operation's changes (rows and cached sequences).</summary>
    public void RollbackOperation()
    {
        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            var (actorId, previous) = _undo[i];
            if (previous is { } value)
            {
                _lastSequence[actorId] = value;
            }
            else
            {
                _lastSequence.Remove(actorId);
            }
        }

        _undo.Clear();
        _rollbackToSavepoint.ExecuteNonQuery();
        _release.ExecuteNonQuery();
    }

    /// <summary>The last journal sequence of an actor: the greater of its last journal row and what its snapshot
    /// covers (cached).</summary>
    /// <param name="actorId">The actor.</param>
    /// <returns>The sequence; 0 for a new actor.</returns>
    public long GetLastSequence(ActorId actorId)
    {
        if (_lastSequence.TryGetValue(actorId, out var cached))
        {
            return cached;
        }

        var journal = (long)Bind(_maxJournalSequence, actorId.Type, actorId.Key).ExecuteScalar()!;
        var (_, snapshot) = GetSnapshotInfo(actorId);
        var last = Math.Max(journal, snapshot);
        if (_lastSequence.Count >= MaxCachedSequences)
        {
            _lastSequence.Clear();
        }

        _lastSequence[actorId] = last;
        return last;
    }

    /// <summary>Sets the last journal sequence of an actor (undone with the operation).</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="sequence">The sequence.</param>
    public void SetLastSequence(ActorId actorId, long sequence)
    {
        _undo.Add((actorId, _lastSequence.TryGetValue(actorId, out var previous) ? previous : null));
        _lastSequence[actorId] = sequence;
    }

    /// <summary>Forgets the last journal sequence of an actor (undone with the operation).</summary>
    /// <param name="actorId">The actor.</param>
    public void ForgetSequence(ActorId actorId)
    {
        if (_lastSequence.Remove(actorId, out var previous))
        {
            _undo.Add((actorId, previous));
        }
    }

    /// <summary>The stored snapshot's version and covered sequence (zeros when there is none).</summary>
    /// <param name="actorId">The actor.</param>
    /// <returns>The version and sequence.</returns>
    public (long Version, long JournalSequence) GetSnapshotInfo(ActorId actorId)
    {
        using var reader = Bind(_snapshotInfo, actorId.Type, actorId.Key).ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var command in _commands)
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    /// <summary>A new statement that writes an actor's snapshot ($type, $key, $version, $seq, $data), for one use: the
    /// caller disposes it. Not kept prepared like the others: a prepared statement keeps its last values bound (SQLite's
    /// own copy of the blob, and the array), which would hold a whole snapshot, up to hundreds of MB for a large vector
    /// shard, in memory until the next snapshot.</summary>
    /// <returns>The statement.</returns>
    public SqliteCommand CreateUpsertSnapshot() => Create(
        """
        INSERT INTO snapshots (actor_type, actor_key, version, journal_seq, data) VALUES ($type, $key, $version, $seq, $data)
        ON CONFLICT (actor_type, actor_key) DO UPDATE SET version = excluded.version, journal_seq = excluded.journal_seq, data = excluded.data;
        """,
        "$type",
        "$key",
        "$version",
        "$seq",
        "$data");

    /// <summary>Drops a statement's parameter values (the managed arrays; SQLite's bound copy stays until the statement
    /// is bound again).</summary>
    /// <param name="command">The statement.</param>
    public static void ReleaseValues(SqliteCommand command)
    {
        foreach (SqliteParameter parameter in command.Parameters)
        {
            parameter.Value = null;
        }
    }

    private SqliteCommand Prepare(string sql, params ReadOnlySpan<string> parameters)
    {
        var command = Create(sql, parameters);
        _commands.Add(command);
        return command;
    }

    private SqliteCommand Create(string sql, params ReadOnlySpan<string> parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }
}
