using MemoryFabric.Conversation;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Persistence;

/// <summary>A restore keeps the snapshot's lexical section as stored and builds its BM25 indexes on first use: the
/// section is walked the same way (its strings defined for what follows), the indexes built later are those a restore
/// reading it at once built, and a restored memory answers, forgets and writes as before.</summary>
public sealed class DeferredLexicalSectionTests
{
    private static readonly DateTimeOffset QueryTime = Scenario.Now;

    [Fact]
    public void Skipping_the_section_defines_its_strings_and_building_it_gives_the_indexes_read_at_once()
    {
        var turns = new Bm25Index<string>();
        turns.Upsert("t1", ["alpha", "beta", "alpha"]);
        turns.Upsert("t2", ["beta", "gamma"]);
        turns.Upsert("t3", ["delta"]);
        turns.Remove("t3"); // a dead slot, dropped by the writer
        var episodes = new Bm25Index<string>();
        episodes.Upsert("e1", ["alpha", "epsilon"]);
        var notes = new Bm25Index<string>();
        var w = new PayloadWriter(256);
        w.WriteRef("t1"); // item ids are defined before the section, as in a snapshot
        w.WriteRef("e1");
        DeferredLexicalSection.Write(w, turns);
        DeferredLexicalSection.Write(w, episodes);
        DeferredLexicalSection.Write(w, notes);
        w.WriteRef("epsilon"); // after it: references to strings the section defined
        w.WriteRef("gamma");
        var payload = w.Written.ToArray();

        var eager = new PayloadReader(payload, "test");
        eager.ReadRef();
        eager.ReadRef();
        var read = (DeferredLexicalSection.Read(ref eager), DeferredLexicalSection.Read(ref eager), DeferredLexicalSection.Read(ref eager));

        var deferred = new PayloadReader(payload, "test");
        deferred.ReadRef();
        deferred.ReadRef();
        var section = DeferredLexicalSection.Skip(ref deferred, payload, "test");
        Assert.Equal("epsilon", deferred.ReadRef());
        Assert.Equal("gamma", deferred.ReadRef());
        deferred.ExpectEnd();

        var built = section.Build();
        Assert.Equal(Bytes(read.Item1), Bytes(built.Turns));
        Assert.Equal(Bytes(read.Item2), Bytes(built.Episodes));
        Assert.Equal(Bytes(read.Item3), Bytes(built.Notes));
        Assert.Equal(
            built.Turns.Search(["alpha", "gamma"], 10).Select(h => (h.Key, h.Score)),
            turns.Search(["alpha", "gamma"], 10).Select(h => (h.Key, h.Score)));
    }

    [Fact]
    public void The_indexes_are_built_on_first_use_and_a_section_that_fails_to_build_fails_every_use()
    {
        var index = new Bm25Index<string>();
        index.Upsert("t1", ["alpha"]);
        var w = new PayloadWriter(64);
        DeferredLexicalSection.Write(w, index);
        DeferredLexicalSection.Write(w, new Bm25Index<string>());
        DeferredLexicalSection.Write(w, new Bm25Index<string>());
        var good = w.Written.ToArray();
        var reader = new PayloadReader(good, "test");
        var indexes = new LexicalIndexes();
        indexes.LoadDeferred(DeferredLexicalSection.Skip(ref reader, good, "test"));

        Assert.True(indexes.IsDeferred);
        Assert.Equal(1, indexes.Turns.Count);
        Assert.False(indexes.IsDeferred);
        var again = new PayloadReader(good, "test");
        var second = DeferredLexicalSection.Skip(ref again, good, "test");
        Assert.Throws<InvalidOperationException>(() => indexes.LoadDeferred(second)); // only into empty indexes

        // A document listed twice passes the walk (it builds nothing) and is reported when built, at every use.
        var twice = new PayloadWriter(64);
        twice.WriteCount(2);
        twice.WriteRef("t1");
        twice.WriteCount(1);
        twice.WriteRef("t1");
        twice.WriteCount(1);
        twice.WriteCount(0);
        DeferredLexicalSection.Write(twice, new Bm25Index<string>());
        DeferredLexicalSection.Write(twice, new Bm25Index<string>());
        var bad = twice.Written.ToArray();
        var badReader = new PayloadReader(bad, "test");
        var broken = new LexicalIndexes();
        broken.LoadDeferred(DeferredLexicalSection.Skip(ref badReader, bad, "test"));
        Assert.Contains("appears twice", Assert.Throws<InvalidDataException>(() => broken.Turns).Message);
        Assert.Throws<InvalidDataException>(() => broken.Notes);
        Assert.True(broken.IsDeferred);
    }

    [Fact]
    public async Task A_restored_memory_searches_and_snapshots_as_the_original()
    {
        var clock = Scenario.Clock();
        var original = await PlayedAsync(clock);
        var snapshot = original.CreateSnapshot();

        var restored = new AgentMemory(timeProvider: clock);
        restored.RestoreSnapshot(snapshot);

        Assert.Equal(original.GetStatistics(), restored.GetStatistics()); // needs no lexical index
        Assert.Equal(snapshot, restored.CreateSnapshot()); // built from the section, written back the same
        await MemoryState.AssertSameTopHitsAsync(original, restored, QueryTime);
    }

    [Fact]
    public async Task A_turn_forgotten_before_the_first_search_stays_forgotten()
    {
        var clock = Scenario.Clock();
        var original = await PlayedAsync(clock);
        var restored = new AgentMemory(timeProvider: clock);
        restored.RestoreSnapshot(original.CreateSnapshot());
        var turn = (await original.GetTurnsAsync(null))[3];
        var query = new SearchRequest { Query = turn.Text, Limit = 50, QueryTime = QueryTime };
        Assert.Contains(await original.SearchAsync(query), h => h.Item.Id == turn.Id);

        await restored.ForgetTurnsAsync([turn.Id]); // the first use of the indexes: built, then the turn removed

        Assert.DoesNotContain(await restored.SearchAsync(query), h => h.Item.Id == turn.Id || h.Item.TurnIds.Contains(turn.Id));
        var again = new AgentMemory(timeProvider: clock);
        again.RestoreSnapshot(restored.CreateSnapshot());
        Assert.DoesNotContain(await again.SearchAsync(query), h => h.Item.Id == turn.Id || h.Item.TurnIds.Contains(turn.Id));
    }

    [Fact]
    public async Task Turns_written_before_the_first_search_join_the_restored_ones()
    {
        var clock = Scenario.Clock();
        var original = await PlayedAsync(clock);
        var restored = new AgentMemory(timeProvider: clock);
        restored.RestoreSnapshot(original.CreateSnapshot());
        var extra = new[]
        {
            new TurnInput { Id = "late-1", SessionId = "late", Speaker = "Ana", Role = TurnRole.User, Text = "My new bicycle is a green Brompton.", Timestamp = Scenario.Now },
        };

        await original.IngestAsync(extra);
        await restored.IngestAsync(extra);

        Assert.Equal(await MemoryState.RecordsAsync(original), await MemoryState.RecordsAsync(restored));
        var hits = await restored.SearchAsync(new SearchRequest { Query = "green Brompton bicycle", Limit = 5, QueryTime = QueryTime });
        Assert.Equal("late-1", hits[0].Item.Id);
        await MemoryState.AssertSameTopHitsAsync(original, restored, QueryTime);
    }

    private static async Task<AgentMemory> PlayedAsync(Support.FakeTimeProvider clock)
    {
        var memory = new AgentMemory(timeProvider: clock);
        await memory.IngestAsync(Scenario.Turns("a-", 3, 30, seed: 1));
        await memory.IngestAsync(Scenario.Extra());
        await memory.ConsolidateAsync();
        memory.DrainChanges();
        return memory;
    }

    private static byte[] Bytes(Bm25Index<string> index)
    {
        var w = new PayloadWriter(256);
        DeferredLexicalSection.Write(w, index);
        return w.Written.ToArray();
    }
}
