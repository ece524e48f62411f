using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Tests.Support;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Tests.Storage;

/// <summary>A database the store creates has full auto-vacuum: what a replaced snapshot and a compacted journal
/// occupied goes back to the file system at that commit, so the file stays about the size of its data.</summary>
public sealed class SqliteFileSizeTests : IDisposable
{
    private static readonly ActorId Alice = new("agent", "acme/alice");
    private static readonly ActorId Bob = new("agent", "acme/bob");

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string DatabasePath => Path.Combine(_directory.Path, "memoryfabric.db");

    private static byte[] Data(int length, byte seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Replaced_snapshots_and_compacted_journals_give_their_pages_back()
    {
        await using (var store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = _directory.Path }))
        {
            // Each agent: journal entries, then snapshots of growing size that replace each other and cover the journal.
            long aliceVersion = 0, bobVersion = 0;
            for (var round = 1; round <= 4; round++)
            {
                var alice = await store.AppendAsync(Alice, [.. Enumerable.Range(0, 20).Select(i => (ReadOnlyMemory<byte>)Data(20_000, (byte)i))]);
                var bob = await store.AppendAsync(Bob, [Data(50_000, 1)]);
                aliceVersion = await store.WriteSnapshotAsync(Alice, Data(round * 1_000_000, (byte)round), alice, aliceVersion);
                bobVersion = await store.WriteSnapshotAsync(Bob, Data(round * 100_000, (byte)round), bob, bobVersion);
            }

            var state = await store.LoadAsync(Alice);
            Assert.Equal(4_000_000, state.Snapshot!.Value.Length);
            Assert.Empty(state.Journal);
        }

        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        Assert.Equal(1L, Scalar(connection, "PRAGMA auto_vacuum;")); // full
        Assert.Equal(0L, Scalar(connection, "PRAGMA freelist_count;"));

        // 4.4 MB of live data; without auto-vacuum the file keeps the pages the earlier snapshots and the journal
        // used (7.8 MB here).
        Assert.InRange(new FileInfo(DatabasePath).Length, 4_400_000, 4_800_000);
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
