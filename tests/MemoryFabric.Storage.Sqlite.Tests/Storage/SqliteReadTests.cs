using System.Diagnostics;
using System.Text;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Internal;
using MemoryFabric.Storage.Sqlite.Tests.Support;

namespace MemoryFabric.Storage.Sqlite.Tests.Storage;

/// <summary>Reads while the database is locked (another process, a backup, here the writer in exclusive locking
/// mode): SQLite and Microsoft.Data.Sqlite wait for the lock by sleeping on the calling thread, so the store must keep
/// that off the thread pool and let a cancelled caller go at once.</summary>
public sealed class SqliteReadTests : IDisposable
{
    private static readonly ActorId Alice = new("agent", "acme/alice");

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Reads_blocked_by_a_lock_honour_cancellation_and_leave_the_thread_pool_free()
    {
        await using var store = new SqliteActorStore(new SqliteActorStoreOptions
        {
            DataDirectory = _directory.Path,
            BusyTimeout = TimeSpan.FromSeconds(20),
            MaxReadConnections = 8,
            WarmUpReads = false, // its read connection would keep the writer from taking the exclusive lock below
        });
        await store.AppendAsync(Alice, [Encoding.UTF8.GetBytes("a")]);

        // The writer takes the database's exclusive lock and keeps it (no reader connection is open yet).
        await store.WriteAsync(c =>
        {
            SqliteConnections.Execute(c, "PRAGMA locking_mode=EXCLUSIVE;");
            return 0;
        });
        await store.AppendAsync(Alice, [Encoding.UTF8.GetBytes("b")]);
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            var stopwatch = Stopwatch.StartNew();

            // Issued from pool threads, as grain activations do; each read waits for the lock.
            var reads = Enumerable.Range(0, 16).Select(_ => Task.Run(() => store.LoadAsync(Alice, cts.Token))).ToList();

            // The pool is not held by the waiting reads: other work runs at once.
            var probe = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Thread.Sleep(1))));
            Assert.True(probe.Elapsed < TimeSpan.FromSeconds(2), $"pool work waited {probe.Elapsed} behind blocked reads");

            foreach (var read in reads)
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
            }

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(8), $"cancelled reads returned after {stopwatch.Elapsed}");
        }
        finally
        {
            // Release the lock: back to normal locking, which takes effect with the next write.
            await store.WriteAsync(c =>
            {
                SqliteConnections.Execute(c, "PRAGMA locking_mode=NORMAL;");
                return 0;
            });
            await store.AppendAsync(Alice, [Encoding.UTF8.GetBytes("c")]);
        }

        var state = await store.LoadAsync(Alice);
        Assert.Equal(["a", "b", "c"], state.Journal.Select(e => Encoding.UTF8.GetString(e.Data.Span)));
    }

    [Fact]
    public async Task A_read_cancelled_before_it_runs_does_not_run()
    {
        await using var store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = _directory.Path });
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.LoadAsync(Alice, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ListKeysAsync("agent", "", cts.Token));
        Assert.False((await store.LoadAsync(Alice)).Exists);
    }
}
