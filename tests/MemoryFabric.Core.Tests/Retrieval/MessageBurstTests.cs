using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Retrieval;

// Issue 27: a thing said over a few short messages in a row is packed together when the query matches one of them.
public sealed class MessageBurstTests
{
    private static readonly MessageBurstOptions Options = new();

    private static Turn T(int i, string speaker, string text) =>
        new($"s1:{i}", "s1", speaker, TurnRole.User, text, Talk.May8.AddMinutes(i), i, new Dictionary<string, string>());

    private static readonly string LongText = string.Join(' ', Enumerable.Repeat("A long message that says enough on its own about the weekend.", 4));

    [Fact]
    public void A_short_turn_brings_its_short_neighbours_on_both_sides_nearest_first()
    {
        List<Turn> session = [T(0, "a", "hey"), T(1, "b", "guess what"), T(2, "b", "got the job!!"), T(3, "a", "which one??"), T(4, "b", "the lab technician one"), T(5, "b", "it's with Jetty Farms")];

        var neighbours = MessageBursts.Neighbours(session, 4, Options, _ => true);

        Assert.Equal(["s1:3", "s1:5", "s1:2"], neighbours.Select(n => n.Turn.Id));
        Assert.Equal([1, 1, 2], neighbours.Select(n => n.Distance));
    }

    [Fact]
    public void A_long_turn_neither_brings_nor_is_crossed()
    {
        List<Turn> session = [T(0, "a", "short one"), T(1, "b", LongText), T(2, "a", "another short one"), T(3, "a", "and one more")];

        Assert.Empty(MessageBursts.Neighbours(session, 1, Options, _ => true)); // long: says enough on its own
        Assert.Equal(["s1:3"], MessageBursts.Neighbours(session, 2, Options, _ => true).Select(n => n.Turn.Id)); // not across s1:1
        Assert.False(MessageBursts.IsShort(session[1], Options));
        Assert.True(MessageBursts.IsShort(session[0], Options));
    }

    [Fact]
    public void An_excluded_neighbour_is_not_brought_but_the_burst_goes_on_past_it_and_reach_zero_turns_it_off()
    {
        List<Turn> session = [T(0, "a", "one"), T(1, "a", "two"), T(2, "a", "three"), T(3, "a", "four"), T(4, "a", "five")];

        var neighbours = MessageBursts.Neighbours(session, 2, Options, t => t.Id != "s1:1");

        Assert.Equal(["s1:3", "s1:0", "s1:4"], neighbours.Select(n => n.Turn.Id));
        Assert.Empty(MessageBursts.Neighbours(session, 2, new MessageBurstOptions { Reach = 0 }, _ => true));
        Assert.Empty(MessageBursts.Neighbours(session, 7, Options, _ => true));
    }

    // A job told in two messages; the question matches the first ("job") and not the second. Fifty
    // other short messages compete for a small budget.
    private static async Task<MemoryContext> ContextAsync(MessageBurstOptions bursts)
    {
        var memory = new AgentMemory(new AgentMemoryOptions { Retrieval = { MessageBursts = bursts } }, new FakeTimeProvider(Talk.May8.AddDays(2)));
        var turns = new List<TurnInput>();
        string[] chatter = ["lol same", "omg the traffic today", "did u see the game", "cant wait for friday", "my cat knocked over the plant again", "coffee is life", "rain again ugh", "that show was wild", "weekend plans?", "pizza tonight maybe"];
        for (var i = 0; i < 50; i++)
        {
            turns.Add(Talk.Input($"s1:{i}", i % 2 == 0 ? "Mia" : "Theo", chatter[i % chatter.Length] + (i % 3 == 0 ? " haha" : string.Empty), Talk.May8.AddMinutes(i)));
        }

        turns.Add(Talk.Input("s2:0", "Mia", "so which job did u take??", Talk.May8.AddDays(1), "s2"));
        turns.Add(Talk.Input("s2:1", "Theo", "the lab technician job!! 😂", Talk.May8.AddDays(1).AddMinutes(1), "s2"));
        turns.Add(Talk.Input("s2:2", "Theo", "it's with Jetty Farms", Talk.May8.AddDays(1).AddMinutes(2), "s2"));
        await memory.IngestAsync(turns);
        await memory.ConsolidateAsync();
        return await memory.GetContextAsync(new ContextRequest { Query = "which job did he take in the end?", TokenBudget = 60 });
    }

    [Fact]
    public async Task The_next_message_of_a_fact_told_in_two_is_packed_with_the_one_the_query_matches()
    {
        var on = await ContextAsync(new MessageBurstOptions());
        var off = await ContextAsync(new MessageBurstOptions { Reach = 0 });

        Assert.Contains("lab technician", off.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Jetty Farms", off.Text, StringComparison.Ordinal); // without bursts the company is left out
        Assert.Contains("lab technician", on.Text, StringComparison.Ordinal);
        Assert.Contains("Jetty Farms", on.Text, StringComparison.Ordinal);
        Assert.Contains(on.Items, i => i.TurnIds.Contains("s2:2"));
        Assert.True(on.Tokens <= 60, $"{on.Tokens} tokens");
    }

    // The anchors are chosen as the context ranks: with the query's priors. Asked about October, the October message
    // brings its neighbour even when a September one matches the words better (one anchor here: before, the September
    // message was it, and "Bean Scene" was packed instead of "Jetty Farms").
    [Fact]
    public async Task The_anchors_are_the_best_candidates_with_the_query_priors_applied()
    {
        var september = new DateTimeOffset(2023, 9, 12, 18, 0, 0, TimeSpan.Zero);
        var october = new DateTimeOffset(2023, 10, 18, 18, 0, 0, TimeSpan.Zero);
        var memory = new AgentMemory(new AgentMemoryOptions { Retrieval = { MessageBursts = new MessageBurstOptions { Anchors = 1 } } }, new FakeTimeProvider(october.AddDays(30)));
        List<TurnInput> turns =
        [
            Talk.Input("s1:0", "Theo", "which job did i take? the barista job, ugh", september, "s1"),
            Talk.Input("s1:1", "Theo", "it's with Bean Scene", september.AddMinutes(1), "s1"),
            Talk.Input("s2:0", "Theo", "took the lab technician job!!", october, "s2"),
            Talk.Input("s2:1", "Theo", "it's with Jetty Farms", october.AddMinutes(1), "s2"),
        ];
        string[] chatter = ["lol", "ugh", "nice", "omg", "haha", "same", "wild", "yep"];
        for (var i = 0; i < 200; i++) // September small talk: his name matches, and short messages fill the candidate lists
        {
            turns.Add(Talk.Input($"s3:{i}", "Theo", chatter[i % chatter.Length], september.AddDays(8).AddMinutes(i), "s3"));
        }

        await memory.IngestAsync(turns);

        var context = await memory.GetContextAsync(new ContextRequest { Query = "Which job did Theo take in October 2023?", TokenBudget = 30, PreferVerbatimWhenItFits = false });

        Assert.Contains("lab technician", context.Text, StringComparison.Ordinal);
        Assert.Contains("Jetty Farms", context.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Bean Scene", context.Text, StringComparison.Ordinal);
    }
}
