using MemoryFabric.Orleans.Diagnostics;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Internal;
using System.Diagnostics;
using System.Threading.Channels;

namespace MemoryFabric.Storage.Sqlite.Writing;

/// <summary>
/// The single writer, with group commit: operations from every caller queue in a channel; a dedicated thread takes as
/// many as are waiting (up to a bound), runs them in one transaction, each in its own savepoint (one failing operation
/// does not fail the others), commits — one fsync for the whole group — and only then completes the callers' tasks.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable, IDisposable
{
    private const int MaxGroupOperations = 2048;
    private const long MaxGroupBytes = 32L << 20;

    private readonly WriterSession _session;
    private readonly string _databasePath;
    private readonly Channel<WriteOperation> _queue;
    private volatile bool _disposed;

    private readonly Thread _thread;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<WriteOperation> _group = new(MaxGroupOperations);
    private readonly List<Exception?> _failures = new(MaxGroupOperations);

    /// <summary>Starts the writer thread.</summary>
    /// <param name="session">The writer session (owned from now on).</param>
    /// <param name="name">The database file (names the thread).</param>
    /// <param name="capacity">The most operations waiting to be committed; beyond, a write is refused with
    /// <see cref="StorageBusyException"/> instead of queueing without bound.</param>
    public SqliteWriter(WriterSession session, string name, int capacity)
    {
        _session = session;
        _databasePath = name;
        _queue = Channel.CreateBounded<WriteOperation>(
            new BoundedChannelOptions(capacity) { SingleReader = true, AllowSynchronousContinuations = false, FullMode = BoundedChannelFullMode.Wait });
        _thread = new Thread(Run)
        {
            IsBackground = true,
            Name = "MemoryFabric SQLite writer (" + Path.GetFileName(name) + ")",
        };
        _thread.Start();
    }

    /// <summary>The operations waiting for the writer thread to take them.</summary>
    internal int Queued => _queue.Reader.Count;

    /// <summary>Queues an operation.</summary>
    /// <typeparam name="T">Its result.</typeparam>
    /// <param name="operation">The operation.</param>
    /// <returns>Its task: completes when the operation is committed.</returns>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    /// <exception cref="StorageBusyException">The queue is full; nothing was queued.</exception>
    public Task<T> Enqueue<T>(WriteOperation<T> operation)
    {
        if (!_queue.Writer.TryWrite(operation))
        {
            throw _disposed
                ? new ObjectDisposedException(nameof(SqliteActorStore), "The SQLite actor store is disposed.")
                : new StorageBusyException($"The SQLite store's queue of writes is full ({_queue.Reader.Count} waiting to be committed); nothing was stored. Retry shortly.");
        }

        return operation.Task;
    }

    /// <summary>Stops taking operations, finishes those queued, and closes the connection.</summary>
    public void Dispose()
    {
        _disposed = true;
        _queue.Writer.TryComplete();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    /// <summary>Stops taking operations, finishes those queued, and closes the connection.</summary>
    /// <returns>A task that completes when the writer is done.</returns>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _queue.Writer.TryComplete();
        await _finished.Task.ConfigureAwait(false);
    }

    private void Run()
    {
        try
        {
            var reader = _queue.Reader;
            while (WaitToRead(reader))
            {
                TakeGroup(reader);
                if (_group.Count > 0)
                {
                    RunGroup();
                }
            }
        }
        finally
        {
            _session.Dispose();
            _finished.TrySetResult();
        }
    }

    private static bool WaitToRead(ChannelReader<WriteOperation> reader)
    {
        var wait = reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void TakeGroup(ChannelReader<WriteOperation> reader)
    {
        _group.Clear();
        long bytes = 0;
        while (_group.Count < MaxGroupOperations && bytes < MaxGroupBytes && reader.TryRead(out var operation))
        {
            if (operation.TryStart())
            {
                _group.Add(operation);
                bytes += operation.Size;
            }
        }
    }

    private void RunGroup()
    {
        _failures.Clear();
        Exception? groupFailure = null;
        var activity = StartCommitActivity();
        try
        {
            _session.Begin();
            foreach (var operation in _group)
            {
                _session.BeginOperation();
                try
                {
                    operation.Execute(_session);
                    _session.EndOperation();
                    _failures.Add(null);
                }
                // Out of space (SQLITE_FULL) is not caught here: SQLite may have rolled the whole transaction back
                // already, so the whole group fails below, rolled back, with StorageFullException (nothing stored).
#pragma warning disable CA1031 // The operation's own failure goes to its caller; the group goes on.
                catch (Exception ex) when (!SqliteStorageFull.IsFull(ex, _databasePath))
#pragma warning restore CA1031
                {
                    _failures.Add(ex);
                    _session.RollbackOperation();
                }
            }

            _session.Commit();
        }
#pragma warning disable CA1031 // A failing transaction fails every operation of the group.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            groupFailure = SqliteStorageFull.Translate(ex, _databasePath);
            _session.RollbackAll();
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
        }

        if (groupFailure is null)
        {
            TruncateWalIfAsked();
        }

        activity?.Dispose(); // ended before the callers are released
        for (var i = 0; i < _group.Count; i++)
        {
            var failure = groupFailure ?? _failures[i];
            if (failure is null)
            {
                _group[i].Complete();
            }
            else
            {
                _group[i].Fail(failure);
            }
        }

        _group.Clear();
    }

    // After the commit (a checkpoint cannot run inside a transaction): a failed checkpoint fails the operations that
    // asked for it, not the writes they were committed with.
    private void TruncateWalIfAsked()
    {
        if (!_group.Exists(o => o is CheckpointOperation))
        {
            return;
        }

        try
        {
            CheckpointOperation.TruncateWal(_session.Connection);
        }
#pragma warning disable CA1031 // The checkpoint's failure goes to the callers that asked for it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            for (var i = 0; i < _group.Count; i++)
            {
                if (_group[i] is CheckpointOperation)
                {
                    _failures[i] ??= SqliteStorageFull.Translate(ex, _databasePath);
                }
            }
        }
    }

    // One span per group commit (see StorageTracing): its parent is the group's first traced operation, and it links
    // to every traced operation it made durable.
    private Activity? StartCommitActivity()
    {
        if (!StorageTracing.Source.HasListeners())
        {
            return null;
        }

        ActivityContext parent = default;
        List<ActivityLink>? links = null;
        foreach (var operation in _group)
        {
            if (operation.TraceContext == default)
            {
                continue;
            }

            if (parent == default)
            {
                parent = operation.TraceContext;
            }

            (links ??= []).Add(new ActivityLink(operation.TraceContext));
        }

        var activity = StorageTracing.Source.StartActivity("memoryfabric.storage.commit", ActivityKind.Internal, parent, links: links);
        activity?.SetTag("memoryfabric.operations", _group.Count);
        return activity;
    }
}
