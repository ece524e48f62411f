using System.Text;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Tests.Support;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Tests.Storage;

/// <summary>A database that cannot grow (SQLite's <c>max_page_count</c>: a real <c>SQLITE_FULL</c>, as on a full
/// disk): writes fail with <see cref="StorageFullException"/> and store nothing, reads keep working, and writes resume
/// once the cap is raised, without reopening.</summary>
public sealed class SqliteStorageFullTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_full_database_refuses_writes_whole_keeps_reads_and_accepts_writes_again_when_it_may_grow()
    {
        var acknowledged = new Dictionary<ActorId, List<string>>();
        var refused = 0;
        await using (var store = Open())
        {
            for (var i = 0; i < 20; i++)
            {
                await AppendAsync(store, acknowledged, new ActorId("agent", "acme/a" + (i % 4)), "before-" + i);
            }

            await store.SetMaxDatabaseSizeAsync(1); // no growth from now on (never below the current size)

            // Concurrent appenders (group-committed together) until every one is refused.
            var attempts = Enumerable.Range(0, 400).Select(i => (Actor: new ActorId("agent", "acme/a" + (i % 8)), Text: "full-" + i)).ToList();
            var results = await Task.WhenAll(attempts.Select(async a =>
            {
                try
                {
                    await store.AppendAsync(a.Actor, [Bytes(a.Text + new string('x', 2000))]);
                    return (a.Actor, a.Text, Error: (Exception?)null);
                }
                catch (Exception e)
                {
                    return (a.Actor, a.Text, Error: e);
                }
            }));
            foreach (var (actor, text, error) in results)
            {
                if (error is null)
                {
                    Record(acknowledged, actor, text); // fitted in the last free pages
                    continue;
                }

                var full = Assert.IsType<StorageFullException>(error);
                Assert.Equal(13, Assert.IsType<SqliteException>(full.InnerException).SqliteErrorCode); // SQLITE_FULL
                Assert.Contains("nothing of the write was stored", full.Message, StringComparison.Ordinal);
                refused++;
            }

            Assert.True(refused > 0, "the capped database refused writes");
            await Assert.ThrowsAsync<StorageFullException>(() => store.WriteSnapshotAsync(new ActorId("agent", "acme/new"), Bytes(new string('s', 50_000)), 0, 0));

            // Reads work, and show exactly the acknowledged writes.
            await AssertStoredAsync(store, acknowledged);

            // Space returns: the same store writes again, sequences continuing after what was stored.
            await store.SetMaxDatabaseSizeAsync(null);
            foreach (var actor in acknowledged.Keys.ToList())
            {
                var expected = acknowledged[actor].Count + 1;
                Assert.Equal(expected, await store.AppendAsync(actor, [Bytes("after")]));
                Record(acknowledged, actor, "after");
            }

            Assert.Equal(1, await store.WriteSnapshotAsync(new ActorId("agent", "acme/new"), Bytes("s"), 0, 0));
        }

        // Nothing refused was stored, nothing acknowledged was lost.
        await using (var reopened = Open())
        {
            await AssertStoredAsync(reopened, acknowledged);
        }
    }

    [Fact]
    public async Task The_size_cap_option_applies_from_the_open()
    {
        await using (var store = Open())
        {
            await store.AppendAsync(new ActorId("agent", "acme/a"), [Bytes("one")]);
        }

        var size = new FileInfo(Path.Combine(_directory.Path, "memoryfabric.db")).Length;
        await using var capped = Open(o => o.MaxDatabaseSize = size + 8192);
        await Assert.ThrowsAsync<StorageFullException>(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await capped.AppendAsync(new ActorId("agent", "acme/a"), [Bytes(new string('x', 4000))]);
            }
        });
        Assert.True(await capped.SetMaxDatabaseSizeAsync(null) > size);
        await capped.AppendAsync(new ActorId("agent", "acme/a"), [Bytes(new string('x', 4000))]);
    }

    private SqliteActorStore Open(Action<SqliteActorStoreOptions>? configure = null)
    {
        var options = new SqliteActorStoreOptions { DataDirectory = _directory.Path };
        configure?.Invoke(options);
        return new SqliteActorStore(options);
    }

    private static async Task AppendAsync(SqliteActorStore store, Dictionary<ActorId, List<string>> acknowledged, ActorId actor, string text)
    {
        await store.AppendAsync(actor, [Bytes(text)]);
        Record(acknowledged, actor, text);
    }

    private static void Record(Dictionary<ActorId, List<string>> acknowledged, ActorId actor, string text)
    {
        lock (acknowledged)
        {
            if (!acknowledged.TryGetValue(actor, out var list))
            {
                acknowledged[actor] = list = [];
            }

            list.Add(text);
        }
    }

    private static async Task AssertStoredAsync(SqliteActorStore store, Dictionary<ActorId, List<string>> acknowledged)
    {
        foreach (var (actor, texts) in acknowledged)
        {
            var state = await store.LoadAsync(actor);
            var stored = state.Journal.Select(e => Encoding.UTF8.GetString(e.Data.Span)).Select(t => t.TrimEnd('x')).ToList();
            Assert.Equal(texts.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
            Assert.Equal(Enumerable.Range(1, texts.Count).Select(i => (long)i), state.Journal.Select(e => e.Sequence));
        }
    }

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
