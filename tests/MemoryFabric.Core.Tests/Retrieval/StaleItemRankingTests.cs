using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Retrieval;

/// <summary>Every hit says whether it still holds; superseded and expired items rank below what replaced them.</summary>
public sealed class StaleItemRankingTests
{
    private static readonly DateTimeOffset Day1 = new(2024, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day40 = Day1.AddDays(40);

    private static readonly string[] WhereQueries = ["where does she live", "where does Alice live now", "what city is Alice in"];

    // "I live in Paris" on day 1, "I moved to Berlin" on day 40, each consolidated into a home note, among small talk.
    private static async Task<(AgentMemory Memory, Note Paris, Note Berlin)> MovedAsync(bool deferEmbedding = false)
    {
        var clock = new FakeTimeProvider(Day1);
        var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = deferEmbedding }, clock);
        await memory.IngestAsync(
        [
            Talk.Input("a1", "Bob", "How are you settling in?", Day1, "s1"),
            Talk.Input("a2", "Alice", "I live in Paris and I love the bakeries.", Day1.AddMinutes(1), "s1"),
            Talk.Input("a3", "Bob", "The weather has been rainy all week here.", Day1.AddMinutes(2), "s1"),
            Talk.Input("a4", "Alice", "I finally fixed the squeaky hinge on the kitchen cupboard.", Day1.AddMinutes(3), "s1"),
        ]);
        await memory.ConsolidateAsync();
        clock.UtcNow = Day40;
        await memory.IngestAsync(
        [
            Talk.Input("b1", "Bob", "Any news since we last talked?", Day40, "s2"),
            Talk.Input("b2", "Alice", "I moved to Berlin last week.", Day40.AddMinutes(1), "s2"),
            Talk.Input("b3", "Bob", "A new bakery opened across from the train station.", Day40.AddMinutes(2), "s2"),
        ]);
        await memory.ConsolidateAsync();
        clock.UtcNow = Day40.AddHours(1);
        if (deferEmbedding)
        {
            while (await memory.EmbedPendingAsync(64) > 0)
            {
            }
        }

        var homes = (await memory.GetNotesAsync(includeInactive: true)).Where(n => n.Attribute == "home").ToList();
        var paris = Assert.Single(homes, n => n.Value == "Paris");
        var berlin = Assert.Single(homes, n => n.Value == "Berlin");
        Assert.Equal(NoteStatus.Superseded, paris.Status);
        Assert.Equal(NoteStatus.Active, berlin.Status);
        return (memory, paris, berlin);
    }

    private static int Rank(IReadOnlyList<SearchHit> hits, string id)
    {
        var index = hits.Select(h => h.Item.Id).ToList().IndexOf(id);
        return index < 0 ? int.MaxValue : index;
    }

    [Fact]
    public async Task The_Berlin_turn_and_note_rank_above_the_Paris_ones_for_every_where_question()
    {
        var (memory, paris, berlin) = await MovedAsync();
        foreach (var query in WhereQueries)
        {
            var hits = await memory.SearchAsync(new SearchRequest { Query = query, Limit = 20 });

            var described = string.Join(" | ", hits.Select(h => $"{h.Item.Id} {h.Item.Status} {h.Item.Score:F4}"));
            var parisRanks = new[] { Rank(hits, "a2"), Rank(hits, paris.Id) };
            Assert.True(Rank(hits, "b2") < parisRanks.Min(), $"{query}: the Berlin turn ranks below a Paris item: {described}");
            Assert.True(Rank(hits, berlin.Id) < parisRanks.Min(), $"{query}: the Berlin note ranks below a Paris item: {described}");
        }
    }

    [Fact]
    public async Task A_turn_that_only_carries_a_superseded_note_says_so_and_names_its_successor()
    {
        var (memory, paris, berlin) = await MovedAsync();

        var hits = await memory.SearchAsync(new SearchRequest { Query = "Paris bakeries", Limit = 20 });

        var parisTurn = Assert.Single(hits, h => h.Item.Id == "a2").Item;
        // "I live in Paris and I love the bakeries." gave a home note and, maybe, a preference note: it is superseded
        // only when no active note rests on it.
        var others = (await memory.GetNotesAsync()).Where(n => n.Provenance.TurnIds.Contains("a2")).ToList();
        if (others.Count == 0)
        {
            Assert.Equal(MemoryItemStatus.Superseded, parisTurn.Status);
            Assert.Equal(paris.SupersededById, parisTurn.SupersededBy);
            Assert.Equal(berlin.Id, parisTurn.SupersededBy);
            Assert.Equal(paris.ValidFrom, parisTurn.ValidFrom);
            Assert.Equal(paris.ValidTo, parisTurn.ValidTo);
        }
        else
        {
            Assert.Equal(MemoryItemStatus.Active, parisTurn.Status);
        }

        var berlinTurn = Assert.Single(hits, h => h.Item.Id == "b2").Item; // the successor joins the hits
        Assert.Equal(MemoryItemStatus.Active, berlinTurn.Status);
        Assert.Null(berlinTurn.SupersededBy);
        Assert.All(hits.Where(h => h.Item.Kind == MemoryItemKind.Episode), h => Assert.Equal(MemoryItemStatus.Active, h.Item.Status));
    }

    [Fact]
    public async Task A_turn_whose_only_note_was_superseded_is_superseded_and_ranks_below_the_new_one()
    {
        var clock = new FakeTimeProvider(Day40.AddHours(1));
        var memory = new AgentMemory(timeProvider: clock);
        await memory.IngestAsync(
        [
            Talk.Input("p", "Alice", "I live in Paris.", Day1, "s1"),
            Talk.Input("q", "Alice", "I moved to Berlin.", Day40, "s2"),
        ]);
        var old = await memory.AddNoteAsync(new NoteWrite { Text = "Alice lives in Paris.", Subject = "Alice", Attribute = "home", Value = "Paris", ValidFrom = Day1, SourceTurnIds = ["p"] });
        var now = await memory.AddNoteAsync(new NoteWrite { Text = "Alice lives in Berlin.", Subject = "Alice", Attribute = "home", Value = "Berlin", ValidFrom = Day40, SourceTurnIds = ["q"] });
        Assert.Equal(NoteOperation.Superseded, now.Operation);

        var hits = await memory.SearchAsync(new SearchRequest { Query = "Does Alice live in Paris?", Limit = 10 });

        var p = Assert.Single(hits, h => h.Item.Id == "p").Item;
        Assert.Equal(MemoryItemStatus.Superseded, p.Status);
        Assert.Equal(now.Note.Id, p.SupersededBy);
        Assert.Equal(Day1, p.ValidFrom);
        Assert.Equal(Day40, p.ValidTo);
        Assert.True(Rank(hits, "q") < Rank(hits, "p"));
        Assert.True(Rank(hits, now.Note.Id) < Rank(hits, "p"));
        Assert.DoesNotContain(hits, h => h.Item.Id == old.Note.Id); // a superseded version is not searched
        var current = Assert.Single(hits, h => h.Item.Id == now.Note.Id).Item;
        Assert.Equal(MemoryItemStatus.Active, current.Status);
        Assert.Equal(Day40, current.ValidFrom);

        // The context says the same (items carry their state).
        var context = await memory.GetContextAsync(new ContextRequest { Query = "Does Alice live in Paris?", TokenBudget = 1000, PreferVerbatimWhenItFits = false, Explain = true });
        Assert.Equal(MemoryItemStatus.Superseded, Assert.Single(context.Items, i => i.Id == "p").Status);
        Assert.Contains("successor", Assert.Single(context.Explanation!.Items, i => i.Id == "q").Signals); // the new note's source
        Assert.DoesNotContain("successor", Assert.Single(context.Explanation!.Items, i => i.Id == "p").Signals);
    }

    [Fact]
    public async Task A_note_past_its_validity_is_expired_at_the_query_time_and_ranks_lower()
    {
        var clock = new FakeTimeProvider(Day40);
        var memory = new AgentMemory(timeProvider: clock);
        await memory.IngestAsync([Talk.Input("v", "Alice", "My visa for Japan runs until the end of March.", Day1, "s1")]);
        // A note's validity end is set when something replaces it; an active note with one comes from an import.
        var visa = new Note
        {
            Id = "n_visa",
            LineageId = "n_visa",
            Kind = NoteKind.Fact,
            Text = "Alice holds a visa for Japan.",
            Subject = "Alice",
            ValidFrom = Day1,
            ValidTo = Day1.AddDays(30),
            Provenance = new NoteProvenance(["v"], null, "api", "1"),
            LastRecalledAt = Day1,
            CreatedAt = Day1,
        };
        Assert.Equal(1, await memory.ImportNotesAsync([visa]));
        await memory.AddNoteAsync(new NoteWrite { Text = "Alice holds a passport for Japan.", Subject = "Alice" });
        var imported = memory;

        var before = await imported.SearchAsync(new SearchRequest { Query = "Alice Japan visa", QueryTime = Day1.AddDays(2) });
        var after = await imported.SearchAsync(new SearchRequest { Query = "Alice Japan visa" });

        Assert.Equal(MemoryItemStatus.Active, Assert.Single(before, h => h.Item.Id == visa.Id).Item.Status);
        var stale = Assert.Single(after, h => h.Item.Id == visa.Id).Item;
        Assert.Equal(MemoryItemStatus.Expired, stale.Status);
        Assert.Equal(Day1.AddDays(30), stale.ValidTo);
        Assert.Null(stale.SupersededBy);
        Assert.Equal(MemoryItemStatus.Expired, Assert.Single(after, h => h.Item.Id == "v").Item.Status); // its only source
        Assert.True(Assert.Single(after, h => h.Item.Id == visa.Id).Item.Score < Assert.Single(before, h => h.Item.Id == visa.Id).Item.Score);
    }

    [Fact]
    public async Task Status_survives_a_snapshot_round_trip()
    {
        var (memory, paris, berlin) = await MovedAsync(deferEmbedding: true);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        memory.WriteSnapshot(buffer);
        var restored = new AgentMemory(timeProvider: new FakeTimeProvider(Day40.AddHours(1)));
        restored.RestoreSnapshot(buffer.WrittenSpan);

        foreach (var query in WhereQueries)
        {
            var hits = await restored.SearchAsync(new SearchRequest { Query = query, Limit = 20 });
            Assert.True(Rank(hits, "b2") < Rank(hits, "a2"), query);
            Assert.True(Rank(hits, berlin.Id) < Rank(hits, "a2"), query);
        }

        _ = paris;
    }
}
