using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests;

public sealed class AgentMemorySearchTests
{
    [Fact]
    public async Task A_short_answer_is_found_by_the_words_of_its_question()
    {
        var memory = new AgentMemory();
        await memory.IngestAsync(
        [
            Talk.Input("q", "Melanie", "Where did you go on vacation?", Talk.May8),
            Talk.Input("a", "Caroline", "Paris, France.", Talk.May8.AddMinutes(1)),
            Talk.Input("x", "Melanie", "Lovely, I adore the city of lights.", Talk.May8.AddMinutes(2)),
        ]);

        var hits = await memory.SearchAsync(new SearchRequest { Query = "vacation", Kinds = [MemoryItemKind.Turn] });

        Assert.NotNull(Assert.Single(hits, h => h.Item.Id == "a").LexicalRank);
        Assert.Null(Assert.Single(hits, h => h.Item.Id == "x").LexicalRank);
        Assert.Equal("Caroline: Paris, France.", Assert.Single(hits, h => h.Item.Id == "a").Item.Text);
    }

    [Fact]
    public async Task A_turn_is_found_by_its_speaker_name()
    {
        var memory = new AgentMemory();
        await memory.IngestAsync(Talk.SmallSession());

        var hits = await memory.SearchAsync(new SearchRequest { Query = "Melanie", Kinds = [MemoryItemKind.Turn], Limit = 50 });

        var lexical = hits.Where(h => h.LexicalRank is not null).Select(h => h.Item.Id).ToList();
        var melanie = Talk.SmallSession().Where(t => t.Speaker == "Melanie").Select(t => t.Id).ToList();
        Assert.All(melanie, id => Assert.Contains(id, lexical));
    }

    [Fact]
    public async Task Hits_are_ranked_and_carry_their_ranks()
    {
        var memory = new AgentMemory();
        await memory.IngestAsync(Talk.SmallSession());
        await memory.ConsolidateAsync();

        var hits = await memory.SearchAsync(new SearchRequest { Query = "beagle named Oscar", Limit = 5 });

        Assert.InRange(hits.Count, 1, 5);
        Assert.Equal(hits.OrderByDescending(h => h.Item.Score).Select(h => h.Item.Score), hits.Select(h => h.Item.Score));
        Assert.All(hits, h => Assert.True(h.LexicalRank is not null || h.DenseRank is not null));
        Assert.Contains(hits, h => h.Item.TurnIds.Contains("D1:2") && h.LexicalRank is not null);
    }

    [Fact]
    public async Task A_word_containing_the_subject_name_stays_searchable()
    {
        var memory = new AgentMemory();
        var ann = (await memory.AddNoteAsync(new NoteWrite { Text = "Ann sailed to Annapolis with her cousin.", Subject = "Ann" })).Note;

        var hits = await memory.SearchAsync(new SearchRequest { Query = "Annapolis", Kinds = [MemoryItemKind.Note] });

        Assert.NotNull(Assert.Single(hits, h => h.Item.Id == ann.Id).LexicalRank);
    }
}
