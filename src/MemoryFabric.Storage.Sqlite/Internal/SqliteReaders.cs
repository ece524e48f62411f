using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Internal;

/// <summary>
/// The store's readers: reads queue in a channel and run on up to a fixed number of dedicated threads, each with a
/// read connection of its own (WAL readers do not block the writer). Microsoft.Data.Sqlite's async methods complete
/// synchronously, sleeping on the calling thread while the database is locked; running them here keeps that off the
/// thread pool, and a caller's task is cancelled as soon as its token is, even while its read waits for a lock.
/// </summary>
internal sealed class SqliteReaders : IDisposable
{
    private readonly SqliteConnections _connections;
    private readonly Channel<ReadOperation> _queue = Channel.CreateUnbounded<ReadOperation>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false, AllowSynchronousContinuations = false });
    private readonly List<Thread> _threads = [];
    private readonly Lock _lock = new();
    private readonly int _max;
    private readonly string _name;
    private int _idle;
    private volatile bool _disposed;

    /// <summary>Creates the readers; threads start on demand.</summary>
    /// <param name="connections">Opens connections.</param>
    /// <param name="max">The most reader threads (and read connections) at once.</param>
    /// <param name="name">The database file (names the threads).</param>
    public SqliteReaders(SqliteConnections connections, int max, string name)
    {
        _connections = connections;
        _max = max;
        _name = Path.GetFileName(name);
    }

    /// <summary>Runs a read on a reader thread's connection (query only).</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="read">The read, given the connection and the caller's token.</param>
    /// <param name="cancellationToken">Cancels the caller's wait at once; the read itself stops at its next check.</param>
    /// <returns>What <paramref name="read"/> returned.</returns>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public Task<T> RunAsync<T>(Func<SqliteConnection, CancellationToken, ValueTask<T>> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var operation = new ReadOperation<T>(read, cancellationToken);
        if (!_queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(SqliteActorStore), "The SQLite actor store is disposed.");
        }

        StartThreadIfNeeded();
        return operation.Task;
    }

    /// <summary>Stops taking reads, lets the reader threads finish those queued, and closes their connections.</summary>
    public void Dispose()
    {
        _disposed = true;
        _queue.Writer.TryComplete();
        List<Thread> threads;
        lock (_lock)
        {
            threads = [.. _threads];
        }

        foreach (var thread in threads)
        {
            if (thread != Thread.CurrentThread)
            {
                thread.Join();
            }
        }
    }

    private void StartThreadIfNeeded()
    {
        if (Volatile.Read(ref _idle) > 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_threads.Count >= _max || _disposed)
            {
                return;
            }

            var thread = new Thread(Run) { IsBackground = true, Name = $"MemoryFabric SQLite reader {_threads.Count + 1} ({_name})" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    // A reader thread: takes reads until the queue is completed. It blocks (on the channel, and inside SQLite), which
    // is what it is for: the thread pool never does.
    private void Run()
    {
        SqliteConnection? connection = null;
        try
        {
            var reader = _queue.Reader;
            while (true)
            {
                Interlocked.Increment(ref _idle);
                bool more;
                try
                {
                    var wait = reader.WaitToReadAsync();
                    more = wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
                }
                finally
                {
                    Interlocked.Decrement(ref _idle);
                }

                if (!more)
                {
                    return;
                }

                while (reader.TryRead(out var operation))
                {
                    if (operation.TryStart())
                    {
                        connection = operation.Run(connection, _connections);
                    }
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private abstract class ReadOperation
    {
        private const int Queued = 0;
        private const int Started = 1;
        private int _state;

        public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Queued) == Queued;

        // Runs the read on the thread's connection (opened on first use); returns the connection to keep, null when it
        // failed and was closed.
        public abstract SqliteConnection? Run(SqliteConnection? connection, SqliteConnections connections);
    }

    private sealed class ReadOperation<T> : ReadOperation
    {
        private readonly Func<SqliteConnection, CancellationToken, ValueTask<T>> _read;
        private readonly CancellationToken _cancellationToken;
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;

        public ReadOperation(Func<SqliteConnection, CancellationToken, ValueTask<T>> read, CancellationToken cancellationToken)
        {
            _read = read;
            _cancellationToken = cancellationToken;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static s => ((ReadOperation<T>)s!).Cancel(), this);
            }
        }

        public Task<T> Task => _completion.Task;

        public override SqliteConnection? Run(SqliteConnection? connection, SqliteConnections connections)
        {
            try
            {
                if (_completion.Task.IsCompleted)
                {
                    return connection; // cancelled while queued
                }

                connection ??= connections.OpenReader();
                var read = _read(connection, _cancellationToken);
                // Microsoft.Data.Sqlite completes at once; should a read ever be truly asynchronous, this dedicated
                // thread (never a thread-pool one) waits for it.
                _completion.TrySetResult(read.IsCompletedSuccessfully ? read.Result : read.AsTask().GetAwaiter().GetResult());
                return connection;
            }
            catch (OperationCanceledException) when (_cancellationToken.IsCancellationRequested)
            {
                _completion.TrySetCanceled(_cancellationToken);
                return connection;
            }
#pragma warning disable CA1031 // The read's failure goes to its caller; the thread goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _completion.TrySetException(ex);
                connection?.Dispose(); // a connection in an unknown state (an open transaction) is not reused
                return null;
            }
            finally
            {
                _registration.Dispose();
            }
        }

        private void Cancel() => _completion.TrySetCanceled(_cancellationToken);
    }
}
