using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Retrieval;

// Issue 27: in a chat about half the messages state nothing ("lol", "nooo"); they match any query a little and used to
// fill the budget. What is common is measured in the memory's own history.
public sealed class PhaticMessageTests
{
    private static readonly PhaticMessageOptions Options = new();

    private static readonly Dictionary<string, int> Frequencies = new(StringComparer.Ordinal)
    {
        ["lol"] = 40, ["nooo"] = 12, ["omg"] = 30, ["congrat"] = 9, ["nairobi"] = 2, ["babby"] = 1, ["trieste"] = 3,
    };

    private static int Frequency(string term) => Frequencies.GetValueOrDefault(term);

    private static Turn T(string text) => Talk.Turn("t", "Patricia", text, Talk.May8);

    [Theory]
    [InlineData("lol", true)]
    [InlineData("nooo lol", true)]
    [InlineData("omg congrats!!", true)]
    [InlineData("where??", true)] // no content word at all
    [InlineData("Nairobi babby", false)] // short, but a word this history rarely uses
    [InlineData("omg Trieste!!", false)]
    public void A_short_message_is_phatic_when_every_word_is_common_in_the_history(string text, bool phatic) =>
        Assert.Equal(phatic, PhaticMessages.IsPhatic(T(text), Frequency, 800, Options));

    [Fact]
    public void Long_messages_small_histories_and_the_switch_turned_off_have_no_phatic_messages()
    {
        var longCommon = string.Join(' ', Enumerable.Repeat("lol omg nooo", 8)); // 24 common words, past MaxTokens
        Assert.False(PhaticMessages.IsPhatic(T(longCommon), Frequency, 800, Options));
        Assert.False(PhaticMessages.IsPhatic(T("lol"), Frequency, 150, Options)); // too little history to tell
        Assert.False(PhaticMessages.IsPhatic(T("lol"), Frequency, 800, new PhaticMessageOptions { Factor = 1 }));

        // Common is a share of the history: 12 of 800 turns is common, 12 of 2,000 is not (1 % is 20).
        Assert.True(PhaticMessages.IsPhatic(T("nooo"), Frequency, 800, Options));
        Assert.False(PhaticMessages.IsPhatic(T("nooo"), Frequency, 2_000, Options));
    }

    [Fact]
    public async Task A_query_that_names_a_person_finds_what_they_said_before_their_small_talk()
    {
        // Every turn carries its speaker's name, so "Patricia" matches each of hers, and BM25 favours the shortest.
        var on = await ChatAsync(new PhaticMessageOptions());
        var off = await ChatAsync(new PhaticMessageOptions { Factor = 1 });
        var query = new SearchRequest { Query = "What has Patricia been up to?", Limit = 3 };

        var withCheck = await on.SearchAsync(query);
        var without = await off.SearchAsync(query);

        Assert.All(withCheck, h => Assert.StartsWith("news", h.Item.Id, StringComparison.Ordinal));
        Assert.StartsWith("chat", without[0].Item.Id, StringComparison.Ordinal); // without it: small talk first
        var packed = await on.GetContextAsync(new ContextRequest { Query = query.Query, TokenBudget = 40, PreferVerbatimWhenItFits = false });
        Assert.Contains("pottery", packed.Text, StringComparison.Ordinal);
    }

    private static async Task<AgentMemory> ChatAsync(PhaticMessageOptions phatic)
    {
        var memory = new AgentMemory(new AgentMemoryOptions { Retrieval = new RetrievalOptions { PhaticMessages = phatic } });
        string[] smallTalk = ["lol", "nooo", "omg same", "haha", "stoppp", "fr", "bye!!", "u alive?", "iconic", "ugh"];
        string[] news =
        [
            "I signed up for pottery classes at the community centre on Thursdays",
            "my sister finally adopted a greyhound from the rescue shelter downtown",
            "we booked a week of hiking in the Dolomites for September",
        ];
        var turns = new List<TurnInput>();
        for (var i = 0; i < 300; i++)
        {
            var speaker = i % 10 == 0 ? "Patricia" : "Andrew"; // 30 of hers: all of them are candidates
            var isNews = i % 100 == 50;
            var id = isNews ? $"news{i}" : $"chat{i}";
            turns.Add(Talk.Input(id, speaker, isNews ? news[i / 100] : smallTalk[((i / 10) + i) % smallTalk.Length], Talk.May8.AddMinutes(i), session: $"s{i / 30}"));
        }

        await memory.IngestAsync(turns);
        return memory;
    }
}
