using System.Buffers.Binary;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Persistence;

/// <summary>Format versions 3 to 5 (int8 vectors, decoded on first use; 4 adds the testimony verdicts, 5 the offloaded
/// turns) and the version 2 snapshots written before them.</summary>
public sealed class SnapshotVersionTests
{
    // Written by the previous release (format version 2, float32 vectors) from Talk.SmallSession() ingested and
    // consolidated on Scenario.Clock() with the default (hashing) embedder.
    private static byte[] Version2Fixture() => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Persistence", "Fixtures", "snapshot-v2.bin"));

    private static async Task<AgentMemory> ConsolidatedAsync()
    {
        var clock = Scenario.Clock();
        var memory = new AgentMemory(timeProvider: clock);
        await memory.IngestAsync(Scenario.Turns("a-", 3, 30, seed: 1));
        await memory.IngestAsync(Scenario.Extra());
        await memory.ConsolidateAsync();
        await foreach (var _ in Scenario.NoteWritesAsync(memory, clock))
        {
        }

        memory.DrainChanges();
        return memory;
    }

    private static AgentMemory Restore(byte[] snapshot)
    {
        var memory = new AgentMemory(timeProvider: Scenario.Clock());
        memory.RestoreSnapshot(snapshot);
        return memory;
    }

    [Fact]
    public async Task A_version_2_snapshot_written_by_an_earlier_release_restores_and_is_rewritten_at_the_current_version()
    {
        var fixture = Version2Fixture();
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(fixture.AsSpan(4)));

        var fromV2 = Restore(fixture);

        Assert.Equal(new AgentMemoryStatistics(15, 1, 5, 15, 15, 0, Talk.May8.AddMinutes(14)), fromV2.GetStatistics());
        var hits = await fromV2.SearchAsync(new SearchRequest { Query = "beagle named Oscar" });
        Assert.Equal("D1:2", hits[0].Item.Id);
        Assert.NotNull(hits[0].DenseRank); // its float32 vectors are loaded and searched

        var v3 = fromV2.CreateSnapshot();
        Assert.Equal(AgentMemory.SnapshotFormatVersion, BinaryPrimitives.ReadUInt16LittleEndian(v3.AsSpan(4)));
        Assert.Equal(5, AgentMemory.SnapshotFormatVersion);
        Assert.True(v3.Length < fixture.Length / 2, $"{v3.Length} bytes against {fixture.Length}"); // 35 vectors of 388 bytes, not 1,536

        var fromV3 = Restore(v3);
        Assert.Equal(await MemoryState.RecordsAsync(fromV2), await MemoryState.RecordsAsync(fromV3));
        foreach (var query in new[] { "beagle named Oscar", "support group", "bakery near the train station", "lost umbrella", "whales" })
        {
            var a = await fromV2.SearchAsync(new SearchRequest { Query = query, Limit = 5, QueryTime = Scenario.Now });
            var b = await fromV3.SearchAsync(new SearchRequest { Query = query, Limit = 5, QueryTime = Scenario.Now });
            Assert.Equal(a[0].Item.Id, b[0].Item.Id);
            Assert.True(a.Select(h => h.Item.Id).Intersect(b.Select(h => h.Item.Id)).Count() >= 4, query);
        }
    }

    [Fact]
    public async Task A_restored_memory_snapshots_to_the_same_bytes_before_and_after_its_vectors_are_decoded()
    {
        var original = await ConsolidatedAsync();
        await original.SearchAsync(new SearchRequest { Query = "support group", QueryTime = Scenario.Now }); // the guard's verdicts are in the snapshot too
        var snapshot = original.CreateSnapshot();
        var restored = Restore(snapshot);

        Assert.Equal(snapshot, restored.CreateSnapshot()); // the stored vectors written back undecoded

        await restored.SearchAsync(new SearchRequest { Query = "pottery", QueryTime = Scenario.Now }); // decodes them
        Assert.Equal(snapshot, restored.CreateSnapshot()); // encoded again: the same codes, no drift
        Assert.Equal(snapshot, Restore(restored.CreateSnapshot()).CreateSnapshot());
    }

    [Fact]
    public async Task A_restored_memory_answers_reads_that_need_no_dense_search_and_finds_the_same_top_hits_after()
    {
        var original = await ConsolidatedAsync();
        var restored = Restore(original.CreateSnapshot());

        Assert.Equal(original.GetStatistics(), restored.GetStatistics());
        Assert.Equal(await MemoryState.RecordsAsync(original), await MemoryState.RecordsAsync(restored));
        await MemoryState.AssertSameTopHitsAsync(original, restored, Scenario.Now);

        // Writes after the restore are indexed beside the restored vectors.
        await original.IngestAsync([Talk.Input("late", "Melanie", "We adopted a second beagle, a puppy named Rufus.", Scenario.Now, "late-session")]);
        await restored.IngestAsync([Talk.Input("late", "Melanie", "We adopted a second beagle, a puppy named Rufus.", Scenario.Now, "late-session")]);
        var query = new SearchRequest { Query = "the beagle puppy Rufus", Limit = 5, QueryTime = Scenario.Now };
        Assert.Equal((await original.SearchAsync(query))[0].Item.Id, (await restored.SearchAsync(query))[0].Item.Id);
        Assert.Equal("late", (await restored.SearchAsync(query))[0].Item.Id);
    }
}
