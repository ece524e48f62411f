using System.Text;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Tests.Support;

namespace MemoryFabric.Storage.Sqlite.Tests.Storage;

/// <summary>What a forget or a purge relies on: once a snapshot has replaced the journal entries holding some data and
/// <see cref="SqliteActorStore.PurgeDeletedAsync"/> has returned, no file of the store holds a byte of that data
/// (deleted content zeroed by <c>secure_delete</c>, the WAL checkpointed and truncated).</summary>
public sealed class SqlitePurgeTests : IDisposable
{
    private static readonly ActorId Alice = new("agent", "acme/alice");
    private const string Secret = "quetzalmarmalade";

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task After_a_snapshot_and_a_purge_no_file_holds_the_deleted_bytes()
    {
        await using var store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = _directory.Path });
        // Entries large enough to spill into overflow pages, and small ones kept inside a page.
        var big = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Secret + " ", 2_000)));
        var small = Encoding.UTF8.GetBytes("turn: " + Secret);
        await store.AppendAsync(Alice, [big, small]);
        var last = await store.AppendAsync(Alice, [Encoding.UTF8.GetBytes("kept entry")]);
        var version = await store.WriteSnapshotAsync(Alice, Encoding.UTF8.GetBytes("old snapshot " + Secret), 0, 0);
        Assert.NotEmpty(FilesHolding());

        await store.WriteSnapshotAsync(Alice, Encoding.UTF8.GetBytes("new snapshot without it"), last, version);
        await store.PurgeDeletedAsync();

        Assert.Empty(FilesHolding());
        var wal = Directory.EnumerateFiles(_directory.Path, "*-wal", SearchOption.AllDirectories).ToList();
        Assert.All(wal, f => Assert.Equal(0, new FileInfo(f).Length));
        var state = await store.LoadAsync(Alice);
        Assert.Equal("new snapshot without it", Encoding.UTF8.GetString(state.Snapshot!.Value.Span));
        Assert.Empty(state.Journal);
    }

    private List<string> FilesHolding()
    {
        var needle = Encoding.UTF8.GetBytes(Secret);
        return Directory.EnumerateFiles(_directory.Path, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != DataDirectoryLock.FileName) // held exclusively; only the owner line (also in .owner)
            .Where(f =>
            {
                using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray().AsSpan().IndexOf(needle) >= 0;
            })
            .ToList();
    }
}
