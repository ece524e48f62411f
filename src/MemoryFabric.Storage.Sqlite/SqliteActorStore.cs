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
/// write does not fail the others. Reads run on dedicated reader threads, each with a connection of its own, through
/// Microsoft.Data.Sqlite's async API (which completes synchronously and sleeps while the database is locked: never
/// on the thread pool here); they do not block the writer, and a cancelled read releases its caller at once.
/// </remarks>
public sealed class SqliteActorStore : IActorStateStore, IAsyncDisposable, IDisposable
{
    private static readonly ActorId WarmUpActor = new("memoryfabric.warm-up", "none");

    private readonly SqliteWriter _writer;
    private readonly SqliteReaders _readers;
    private readonly DataDirectoryLock _directoryLock;
    private int _disposed;

    /// <summary>Opens (creating when needed) the database.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="DataDirectoryInUseException">Another process uses the data directory
    /// (<see cref="DataDirectoryLock"/>, taken before anything is opened).</exception>
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

        _directoryLock = DataDirectoryLock.Acquire(directory); // one owner per data directory, before anything opens
        var connections = new SqliteConnections(DatabasePath, options.BusyTimeout);
        SqliteConnection? writer = null;
        try
        {
            writer = connections.OpenWriter();
            SqliteSchema.EnsureCreated(writer, DatabasePath);
            if (options.MaxDatabaseSize is { } maxBytes)
            {
                SqliteSizeLimit.Apply(writer, maxBytes);
            }
        }
        catch
        {
            writer?.Dispose();
            _directoryLock.Dispose();
            throw;
        }

        _writer = new SqliteWriter(new WriterSession(writer), DatabasePath, options.MaxQueuedWrites);
        _readers = new SqliteReaders(connections, options.MaxReadConnections, DatabasePath);
        if (options.WarmUpReads)
        {
            WarmUpReads();
        }
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    public Task<ActorState> LoadAsync(ActorId actorId, CancellationToken cancellationToken = default) =>
        _readers.RunAsync((connection, ct) => LoadAsync(connection, actorId, ct), cancellationToken);

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
    /// <remarks>The writer has <c>secure_delete</c> on, so deleted rows are zeroed in the database file; this empties
    /// the write-ahead log (<c>wal_checkpoint(TRUNCATE)</c>) after the writes queued before it are committed.</remarks>
    public Task PurgeDeletedAsync(CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : _writer.Enqueue(new CheckpointOperation(cancellationToken));

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actorType);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        return _readers.RunAsync((connection, ct) => ListKeysAsync(connection, actorType, keyPrefix, ct), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One indexed range query (the keys after <paramref name="afterKey"/>, <paramref name="limit"/> of them),
    /// so paging through many actors never lists them all. SQLite orders keys by their UTF-8 bytes, which is ordinal
    /// order for the ASCII keys of tenants and agents.</remarks>
    public Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, string? afterKey, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actorType);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return _readers.RunAsync((connection, ct) => ListKeyPageAsync(connection, actorType, keyPrefix, afterKey, limit, ct), cancellationToken);
    }

    /// <summary>Writes a consistent online backup of the database to a new file while writes go on: every write
    /// acknowledged before the call is in it, every write wholly or not at all (see <see cref="Backup.SqliteBackup"/>).</summary>
    /// <param name="destinationPath">The new file (must not exist).</param>
    /// <param name="flushToDisk">Whether the file is flushed to disk before the task completes; false for a temporary
    /// copy that is streamed and deleted.</param>
    /// <param name="cancellationToken">Stops the backup (the partial file is deleted).</param>
    /// <returns>A task that completes when the file is written (and flushed, if asked).</returns>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public Task BackupAsync(string destinationPath, bool flushToDisk = true, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Backup.SqliteBackup.WriteAsync(DatabasePath, destinationPath, flushToDisk, cancellationToken);
    }

    /// <summary>The writes waiting for the writer thread to take them (tests).</summary>
    internal int QueuedWrites => _writer.Queued;

    /// <summary>Runs statements on the writer's connection inside its group-commit transaction (for tables beside
    /// the grain state); durable when the task completes. A failure rolls back these statements only.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="write">The statements (no transaction of their own).</param>
    /// <param name="cancellationToken">Cancels the call while it is queued.</param>
    /// <returns>What <paramref name="write"/> returned.</returns>
    internal Task<T> WriteAsync<T>(Func<SqliteConnection, T> write, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled<T>(cancellationToken) : _writer.Enqueue(new SqlOperation<T>(write, cancellationToken));

    /// <summary>Runs a query on a reader thread's connection (read only).</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="read">The query, given the connection and the caller's token.</param>
    /// <param name="cancellationToken">Cancels the caller's wait at once, and the query at its next step.</param>
    /// <returns>What <paramref name="read"/> returned.</returns>
    internal Task<T> ReadAsync<T>(Func<SqliteConnection, CancellationToken, ValueTask<T>> read, CancellationToken cancellationToken = default) =>
        _readers.RunAsync(read, cancellationToken);

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
        _directoryLock.Dispose();
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
        _directoryLock.Dispose();
    }

    // The first read of a process opens a read connection, reads the tables' first pages from disk and runs the read
    // path (Microsoft.Data.Sqlite's and ours) for the first time, unoptimized: 10-20 ms that the first activation
    // paid (SqliteActorStoreOptions.WarmUpReads). A load of an actor that does not exist, queued at start-up, pays it
    // instead. Nothing waits for it; a failure here (a disposed store, an unreadable file) is left to the reads that
    // follow, which report it.
    private void WarmUpReads()
    {
        var warmUp = _readers.RunAsync((connection, ct) => LoadAsync(connection, WarmUpActor, ct), CancellationToken.None);
        _ = warmUp.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static async ValueTask<ActorState> LoadAsync(SqliteConnection connection, ActorId actorId, CancellationToken cancellationToken)
    {
        // One read transaction: the snapshot and the journal after it, as of one commit.
        await using var transaction = connection.BeginTransaction(deferred: true);
        ReadOnlyMemory<byte>? snapshot = null;
        long version = 0;
        long covered = 0;
        await using (var command = Command(connection, transaction, "SELECT version, journal_seq, data FROM snapshots WHERE actor_type = $type AND actor_key = $key;"))
        {
            command.Parameters.AddWithValue("$type", actorId.Type);
            command.Parameters.AddWithValue("$key", actorId.Key);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                version = reader.GetInt64(0);
                covered = reader.GetInt64(1);
                snapshot = await ReadBlobAsync(reader, 2, cancellationToken).ConfigureAwait(false);
            }
        }

        var journal = new List<JournalEntry>();
        await using (var command = Command(
            connection,
            transaction,
            "SELECT seq, data FROM journal WHERE actor_type = $type AND actor_key = $key AND seq > $after ORDER BY seq;"))
        {
            command.Parameters.AddWithValue("$type", actorId.Type);
            command.Parameters.AddWithValue("$key", actorId.Key);
            command.Parameters.AddWithValue("$after", covered);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                journal.Add(new JournalEntry(reader.GetInt64(0), await ReadBlobAsync(reader, 1, cancellationToken).ConfigureAwait(false)));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return snapshot is null && journal.Count == 0 ? ActorState.Empty : new ActorState(snapshot, version, covered, journal);
    }

    private static async ValueTask<IReadOnlyList<string>> ListKeysAsync(SqliteConnection connection, string actorType, string keyPrefix, CancellationToken cancellationToken)
    {
        await using var command = Command(
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
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                keys.Add(reader.GetString(0));
            }
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    private static async ValueTask<IReadOnlyList<string>> ListKeyPageAsync(
        SqliteConnection connection, string actorType, string keyPrefix, string? afterKey, int limit, CancellationToken cancellationToken)
    {
        await using var command = Command(
            connection,
            null,
            """
            SELECT actor_key FROM snapshots WHERE actor_type = $type AND actor_key GLOB $pattern AND actor_key > $after
            UNION
            SELECT actor_key FROM journal WHERE actor_type = $type AND actor_key GLOB $pattern AND actor_key > $after
            ORDER BY actor_key
            LIMIT $limit;
            """);
        command.Parameters.AddWithValue("$type", actorType);
        command.Parameters.AddWithValue("$pattern", GlobPrefix(keyPrefix));
        command.Parameters.AddWithValue("$after", afterKey ?? string.Empty);
        command.Parameters.AddWithValue("$limit", limit);
        var keys = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                keys.Add(reader.GetString(0));
            }
        }

        return keys;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static async ValueTask<byte[]> ReadBlobAsync(SqliteDataReader reader, int ordinal, CancellationToken cancellationToken) =>
        await reader.IsDBNullAsync(ordinal, cancellationToken).ConfigureAwait(false) ? [] : await reader.GetFieldValueAsync<byte[]>(ordinal, cancellationToken).ConfigureAwait(false);

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
