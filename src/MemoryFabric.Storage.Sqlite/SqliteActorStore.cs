using System.Text;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Internal;
using MemoryFabric.Storage.Sqlite.Writing;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite;

/// <summary>
/// Grain state (snapshots and journals) in one SQLite database file, in WAL mode with
/// <c>synchronous=FULL</c>: a write is on disk when its task completes, and a crash never shows half of one.
/// </summary>
/// <remarks>
/// Writes go through one connection and one thread with group commit: concurrent writes from many actors are queued
/// and committed together, one transaction (one fsync) per group, each write in a savepoint of its own so one failing
/// write does not fail the others. Reads use a pool of connections and do not block the writer.
/// </remarks>
public sealed class SqliteActorStore : IActorStateStore, IAsyncDisposable, IDisposable
{
    private readonly SqliteWriter _writer;
    private readonly ReadConnectionPool _readers;
    private int _disposed;

    /// <summary>Opens (creating when needed) the database.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="InvalidOperationException">The directory or the database cannot be created or opened, or the
    /// database was written by a newer version.</exception>
    public SqliteActorStore(SqliteActorStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        DatabasePath = options.DatabasePath;
        var directory = Path.GetDirectoryName(DatabasePath)!;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InvalidOperationException($"Cannot create the data directory '{directory}': {ex.Message}", ex);
        }

        var connections = new SqliteConnections(DatabasePath, options.BusyTimeout);
        var writer = connections.OpenWriter();
        try
        {
            SqliteSchema.EnsureCreated(writer, DatabasePath);
        }
        catch
        {
            writer.Dispose();
            throw;
        }

        _writer = new SqliteWriter(new WriterSession(writer), DatabasePath, options.MaxQueuedWrites);
        _readers = new ReadConnectionPool(connections, options.MaxReadConnections);
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    public async Task<ActorState> LoadAsync(ActorId actorId, CancellationToken cancellationToken = default)
    {
        var connection = await _readers.RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // One read transaction: the snapshot and the journal after it, as of one commit.
            using var transaction = connection.BeginTransaction(deferred: true);
            ReadOnlyMemory<byte>? snapshot = null;
            long version = 0;
            long covered = 0;
            using (var command = Command(connection, transaction, "SELECT version, journal_seq, data FROM snapshots WHERE actor_type = $type AND actor_key = $key;"))
            {
                command.Parameters.AddWithValue("$type", actorId.Type);
                command.Parameters.AddWithValue("$key", actorId.Key);
                using var reader = command.ExecuteReader();
                if (reader.Read())
                {
                    version = reader.GetInt64(0);
                    covered = reader.GetInt64(1);
                    snapshot = ReadBlob(reader, 2);
                }
            }

            var journal = new List<JournalEntry>();
            using (var command = Command(
                connection,
                transaction,
                "SELECT seq, data FROM journal WHERE actor_type = $type AND actor_key = $key AND seq > $after ORDER BY seq;"))
            {
                command.Parameters.AddWithValue("$type", actorId.Type);
                command.Parameters.AddWithValue("$key", actorId.Key);
                command.Parameters.AddWithValue("$after", covered);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    journal.Add(new JournalEntry(reader.GetInt64(0), ReadBlob(reader, 1)));
                }
            }

            transaction.Commit();
            return snapshot is null && journal.Count == 0 ? ActorState.Empty : new ActorState(snapshot, version, covered, journal);
        }
        finally
        {
            _readers.Return(connection);
        }
    }

    /// <inheritdoc />
    public Task<long> AppendAsync(ActorId actorId, IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<long>(cancellationToken);
        }

        return _writer.Enqueue(new AppendOperation(actorId, entries, cancellationToken));
    }

    /// <inheritdoc />
    public Task<long> WriteSnapshotAsync(ActorId actorId, ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(journalSequence);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<long>(cancellationToken);
        }

        return _writer.Enqueue(new SnapshotOperation(actorId, snapshot, journalSequence, expectedVersion, cancellationToken));
    }

    /// <summary>Removes an actor's snapshot and journal for good.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns>A task that completes when the removal is durable.</returns>
    public Task ClearAsync(ActorId actorId, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        return _writer.Enqueue(new ClearOperation(actorId, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actorType);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        var connection = await _readers.RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = Command(
                connection,
                null,
                """
                SELECT actor_key FROM snapshots WHERE actor_type = $type AND actor_key GLOB $pattern
                UNION
                SELECT actor_key FROM journal WHERE actor_type = $type AND actor_key GLOB $pattern;
                """);
            command.Parameters.AddWithValue("$type", actorType);
            command.Parameters.AddWithValue("$pattern", GlobPrefix(keyPrefix));
            var keys = new List<string>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    keys.Add(reader.GetString(0));
                }
            }

            keys.Sort(StringComparer.Ordinal);
            return keys;
        }
        finally
        {
            _readers.Return(connection);
        }
    }

    /// <summary>Runs statements on the writer's connection inside its group-commit transaction (for tables beside
    /// the grain state); durable when the task completes. A failure rolls back these statements only.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="write">The statements (no transaction of their own).</param>
    /// <param name="cancellationToken">Cancels the call while it is queued.</param>
    /// <returns>What <paramref name="write"/> returned.</returns>
    internal Task<T> WriteAsync<T>(Func<SqliteConnection, T> write, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled<T>(cancellationToken) : _writer.Enqueue(new SqlOperation<T>(write, cancellationToken));

    /// <summary>Runs a query on a pooled read connection (read only).</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="read">The query.</param>
    /// <param name="cancellationToken">Cancels the wait for a connection.</param>
    /// <returns>What <paramref name="read"/> returned.</returns>
    internal async Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken = default)
    {
        var connection = await _readers.RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return read(connection);
        }
        finally
        {
            _readers.Return(connection);
        }
    }

    /// <summary>Finishes the queued writes and closes the database.</summary>
    /// <returns>A task that completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writer.DisposeAsync().ConfigureAwait(false);
        _readers.Dispose();
    }

    /// <summary>Finishes the queued writes and closes the database.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _writer.Dispose();
        _readers.Dispose();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static byte[] ReadBlob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : reader.GetFieldValue<byte[]>(ordinal);

    private static string GlobPrefix(string prefix)
    {
        var pattern = new StringBuilder(prefix.Length + 8);
        foreach (var c in prefix)
        {
            switch (c)
            {
                case '*':
                case '?':
                case '[':
                    pattern.Append('[').Append(c).Append(']');
                    break;
                default:
                    pattern.Append(c);
                    break;
            }
        }

        return pattern.Append('*').ToString();
    }
}
