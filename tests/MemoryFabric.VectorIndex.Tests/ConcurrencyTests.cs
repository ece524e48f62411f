using System.Collections.Concurrent;

namespace MemoryFabric.VectorIndex.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Readers_running_during_writes_see_consistent_results()
    {
        const int BaseCount = 2000;
        var (data, queries) = TestData.Clustered(6000, 100, 32, 100, seed: 51);
        using var shard = TestData.Build(data.Take(BaseCount).ToArray(), TestData.Options(32) with { EfConstruction = 64 });

        // Keys the writer has deleted for good (they must never be returned by a search that starts afterwards).
        var gone = new ConcurrentDictionary<string, bool>();
        var failures = new ConcurrentQueue<string>();
        var searches = 0;
        using var stop = new CancellationTokenSource();

        var writerStarted = false;
        var writer = Task.Factory.StartNew(
            () =>
        {
            // Start writing once every reader is searching.
            while (Volatile.Read(ref searches) < 30)
            {
                Thread.Sleep(1);
            }

            Volatile.Write(ref writerStarted, true);
            for (var i = BaseCount; i < data.Length; i++)
            {
                shard.Upsert(TestData.Key(i), data[i]);
                if (i % 10 == 0 && i - 7 >= BaseCount)
                {
                    // Replace an earlier new item (tombstone + insert) and delete another one for good.
                    shard.Upsert(TestData.Key(i - 5), data[i - 5], new VectorItemMetadata("moved"));
                    var victim = TestData.Key(i - 7);
                    if (shard.Delete(victim))
                    {
                        gone[victim] = true;
                    }
                }

                if (i == 4000)
                {
                    shard.Compact();
                }
            }
        },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var searchesBeforeWrites = 0;
        var readers = Enumerable.Range(0, 3).Select(r => Task.Factory.StartNew(
            () =>
        {
            var q = r;
            while (!writer.IsCompleted)
            {
                var deletedBefore = gone.Keys.ToHashSet();
                var query = q % 2 == 0 ? queries[q % queries.Length] : data[q % BaseCount];
                var hits = shard.Search(query, 10, efSearch: 48);
                Interlocked.Increment(ref searches);
                if (hits.Count != 10)
                {
                    failures.Enqueue($"{hits.Count} hits");
                }

                if (hits.Select(h => h.Key).Distinct().Count() != hits.Count)
                {
                    failures.Enqueue("duplicate key");
                }

                for (var i = 1; i < hits.Count; i++)
                {
                    if (hits[i - 1].Score < hits[i].Score)
                    {
                        failures.Enqueue("not sorted");
                    }
                }

                foreach (var hit in hits)
                {
                    var index = TestData.IndexOf(hit.Key);
                    if (Math.Abs(TestData.Dot(data[index], query) - hit.Score) > 1e-4f)
                    {
                        failures.Enqueue($"score of {hit.Key} does not match its vector");
                    }

                    if (deletedBefore.Contains(hit.Key))
                    {
                        failures.Enqueue($"deleted {hit.Key} returned");
                    }
                }

                // A base item (never modified) queried with its own vector is its own best match.
                if (q % 2 == 1 && (hits.Count == 0 || hits[0].Key != TestData.Key(q % BaseCount)) && hits.Count > 0 && hits[0].Score < 0.9999f)
                {
                    failures.Enqueue($"self query of {TestData.Key(q % BaseCount)} returned {hits[0].Key}");
                }

                q += 3;
                if (!Volatile.Read(ref writerStarted))
                {
                    Interlocked.Increment(ref searchesBeforeWrites);
                }
            }
        },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        await Task.WhenAll([writer, .. readers]);
        Assert.True(failures.IsEmpty, string.Join("; ", failures.Take(10)));
        var during = searches - searchesBeforeWrites;
        Assert.True(during > 50, $"only {during} searches ran during the writes");
        Assert.Equal(data.Length - gone.Count, shard.Count);
    }

    [Fact]
    public async Task Searches_during_compaction_and_disposal_finish_cleanly()
    {
        using var temp = new TempDirectory();
        var (data, queries) = TestData.Clustered(3000, 50, 32, 60, seed: 52);
        var shard = TestData.Build(data, TestData.Options(32, VectorStorage.MappedFile) with { StorageDirectory = temp.Path, EfConstruction = 64 });
        for (var i = 0; i < data.Length; i += 2)
        {
            shard.Delete(TestData.Key(i));
        }

        var failures = new ConcurrentQueue<Exception>();
        var done = false;
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var q = r;
            while (!Volatile.Read(ref done))
            {
                try
                {
                    var hits = shard.Search(queries[q++ % queries.Length], 10);
                    if (hits.Any(h => TestData.IndexOf(h.Key) % 2 == 0))
                    {
                        failures.Enqueue(new InvalidOperationException("a deleted item came back"));
                    }
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
            }
        })).ToArray();

        shard.Compact();
        shard.Compact();
        shard.Dispose();
        Volatile.Write(ref done, true);
        await Task.WhenAll(readers);
        Assert.True(failures.IsEmpty, string.Join("; ", failures.Take(5)));
        Assert.Empty(Directory.GetFiles(temp.Path));
    }
}
