using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Retrieval;
using MemoryFabric.Retrieval.Aliases;

namespace MemoryFabric.Core.Tests.Retrieval;

// Issue 27, item 5: "my bro" is found by a query that names the brother, once the speaker has said who he is.
public sealed class AliasTests
{
    private static Turn T(string id, string speaker, string text, int minute = 0) =>
        new(id, "s1", speaker, TurnRole.User, text, Talk.May8.AddMinutes(minute), minute, new Dictionary<string, string>());

    [Theory]
    [InlineData("Hamza (my brother) just landed, chaos begins", "brother", "Hamza")]
    [InlineData("my grandpa Tariq is visiting this wknd", "grandfather", "Tariq")]
    [InlineData("Juniper, my niece, starts school on Monday", "niece", "Juniper")]
    [InlineData("My sister, Ingrid, moved to Tromsø.", "sister", "Ingrid")]
    [InlineData("we borrowed my dad Tom's car", "father", "Tom")]
    [InlineData("My best friend Lena says hi", "best friend", "Lena")]
    public void A_definition_ties_a_relation_word_to_a_name(string text, string relation, string name) =>
        Assert.Equal([(relation, name)], RelationMentions.Definitions(text));

    [Theory]
    [InlineData("my brother And I went hiking")] // a capitalised word that is not a name
    [InlineData("my brother went hiking with Tom")] // a name, but not next to the relation
    [InlineData("Tom's brother is visiting")] // not "my"
    [InlineData("brother Hamza")]
    public void Text_that_names_no_relative_of_the_speaker_defines_nothing(string text) =>
        Assert.Empty(RelationMentions.Definitions(text));

    [Fact]
    public void Mentions_are_normalised_to_one_word_per_relation()
    {
        Assert.Equal(["brother", "grandfather"], RelationMentions.Mentions("my bro and my gramps both ran it, like my brother said"));
        Assert.Equal(["sister"], RelationMentions.Mentions("MY SIS is here"));
        Assert.Empty(RelationMentions.Mentions("his bro and her sis"));
    }

    [Fact]
    public void A_mention_refers_to_the_names_its_speaker_gave_and_an_earlier_mention_is_returned_when_the_name_comes_later()
    {
        var index = new AliasIndex();
        var early = T("t1", "Patricia", "my bro is driving me mad", 1);
        Assert.Empty(index.Observe(early));
        Assert.Empty(index.NamesReferredTo(early)); // not named yet

        Assert.Equal(["t1"], index.Observe(T("t2", "Patricia", "Hamza (my brother) just landed", 2)));
        Assert.Equal(["Hamza"], index.NamesReferredTo(early));
        Assert.Empty(index.NamesReferredTo(T("t3", "Patricia", "Hamza (my brother) says hi", 3))); // says the name itself
        Assert.Empty(index.NamesReferredTo(T("t4", "Andrew", "my bro just ran a marathon", 4))); // another speaker's brother

        index.Forget(early);
        Assert.Empty(index.Observe(T("t5", "Patricia", "my brother Omar too", 5))); // t1 forgotten: nothing to index again
    }

    private static async Task<AgentMemory> ChatAsync(bool nameFirst)
    {
        var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, new FakeTimeProvider(Talk.May8.AddDays(40)));
        string[] chatter = ["lol same", "omg the traffic today", "did u see the game", "cant wait for friday", "coffee is life", "rain again ugh"];
        var turns = new List<TurnInput>();
        for (var i = 0; i < 30; i++)
        {
            turns.Add(Talk.Input($"c{i}", i % 2 == 0 ? "Patricia" : "Andrew", chatter[i % chatter.Length], Talk.May8.AddMinutes(i)));
        }

        var name = Talk.Input("name", "Patricia", "Hamza (my brother) jusst landed, chaos begins", Talk.May8.AddDays(nameFirst ? 1 : 30));
        var news = Talk.Input("news", "Patricia", "my bro just ran a marathon!!", Talk.May8.AddDays(nameFirst ? 30 : 1));
        await memory.IngestAsync(turns);
        await memory.IngestAsync([nameFirst ? name : news]);
        await memory.IngestAsync([nameFirst ? news : name]);
        return memory;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_query_that_names_the_brother_finds_the_turn_that_says_only_my_bro_in_either_order_and_after_a_restore(bool nameFirst)
    {
        var memory = await ChatAsync(nameFirst);

        var hits = await memory.SearchAsync(new SearchRequest { Query = "What happened with Hamza recently?", Limit = 3 });
        Assert.Contains(hits, h => h.Item.Id == "news" && h.LexicalRank is not null);

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        memory.WriteSnapshot(buffer);
        var restored = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, new FakeTimeProvider(Talk.May8.AddDays(41)));
        restored.RestoreSnapshot(buffer.WrittenSpan);
        Assert.Contains(await restored.SearchAsync(new SearchRequest { Query = "What happened with Hamza recently?", Limit = 3 }), h => h.Item.Id == "news");

        // Another of her messages about her brother, after the restore: the name is known again.
        await restored.IngestAsync([Talk.Input("later", "Patricia", "my bro wants pizza again", Talk.May8.AddDays(41))]);
        Assert.Contains(await restored.SearchAsync(new SearchRequest { Query = "Hamza pizza", Limit = 2 }), h => h.Item.Id == "later" && h.LexicalRank is not null);
    }

    [Fact]
    public async Task Forgetting_the_turn_that_named_the_brother_takes_the_name_from_the_turns_that_used_it()
    {
        var memory = await ChatAsync(nameFirst: true);
        Assert.Contains(await memory.SearchAsync(new SearchRequest { Query = "Hamza", Limit = 5 }), h => h.Item.Id == "news" && h.LexicalRank is not null);

        await memory.ForgetTurnsAsync(["name"]);

        var hits = await memory.SearchAsync(new SearchRequest { Query = "Hamza", Limit = 5 });
        Assert.DoesNotContain(hits, h => h.Item.Id == "news" && h.LexicalRank is not null); // deleted means deleted

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        memory.WriteSnapshot(buffer);
        var restored = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true });
        restored.RestoreSnapshot(buffer.WrittenSpan);
        Assert.DoesNotContain(await restored.SearchAsync(new SearchRequest { Query = "Hamza", Limit = 5 }), h => h.Item.Id == "news" && h.LexicalRank is not null);
    }

    [Fact]
    public async Task A_quarantined_turn_teaches_no_name_until_it_is_released()
    {
        var memory = await ChatAsync(nameFirst: true);
        static bool Found(IReadOnlyList<SearchHit> hits) => hits.Any(h => h.Item.Id == "news" && h.LexicalRank is not null);

        await memory.QuarantineAsync("name", "test", "manual");
        Assert.False(Found(await memory.SearchAsync(new SearchRequest { Query = "Hamza", Limit = 5 })));

        Assert.True(await memory.ReleaseAsync("name"));
        Assert.True(Found(await memory.SearchAsync(new SearchRequest { Query = "Hamza", Limit = 5 })));
    }

    [Fact]
    public void A_name_stays_while_another_turn_still_teaches_it()
    {
        var index = new AliasIndex();
        var first = T("t1", "Patricia", "Hamza (my brother) landed", 1);
        var second = T("t2", "Patricia", "my brother Hamza again", 2);
        var mention = T("t3", "Patricia", "my bro ran a marathon", 3);
        index.Observe(first);
        index.Observe(second);
        index.Observe(mention);

        Assert.Empty(index.Forget(first));
        Assert.Equal(["Hamza"], index.NamesReferredTo(mention));
        Assert.Equal(["t3"], index.Forget(second));
        Assert.Empty(index.NamesReferredTo(mention));
    }

    [Fact]
    public async Task Without_the_name_the_turn_is_not_found_by_it()
    {
        var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true });
        await memory.IngestAsync([Talk.Input("news", "Patricia", "my bro just ran a marathon!!", Talk.May8)]);

        var hits = await memory.SearchAsync(new SearchRequest { Query = "Hamza", Limit = 3 });

        Assert.DoesNotContain(hits, h => h.Item.Id == "news" && h.LexicalRank is not null);
    }
}
