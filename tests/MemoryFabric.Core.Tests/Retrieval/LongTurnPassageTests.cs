using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Retrieval;
using MemoryFabric.Retrieval.Passages;

namespace MemoryFabric.Core.Tests.Retrieval;

// Issue 27, item 2: a long turn is indexed as passages and packed as an excerpt of the relevant one.
public sealed class LongTurnPassageTests
{
    private const string LongTurnId = "s1:1";
    private const string Fact = "My sister Ingrid moved to Tromsø in March and teaches piano at the conservatory there.";

    private static readonly string[] Asides =
    [
        "Last month I spent an hour on hold with my bank about a card that never arrived.",
        "On Tuesday I paid a parking fine that I am still annoyed about.",
        "This morning I went to a birthday party where everyone talked about volleyball.",
        "The other day I fixed the wobbly shelf in the hallway with a folded beer mat.",
        "Yesterday evening I found an old photo album from a trip to the seaside.",
        "A couple of days ago I signed up for a newsletter about knitting by accident.",
        "Before work I booked a dentist appointment I have been avoiding for a year.",
        "My phone contract ends soon, so that bill might drop a little.",
        "Takeaways are my weakness, especially on Fridays after a long week.",
        "Over the holidays I read half a book about productivity and then took a nap.",
    ];

    // About 600 tokens: a request, then asides, with the fact in the middle.
    private static string LongRequest()
    {
        var sentences = new List<string> { "Can you help me plan a budget for the next three months?" };
        for (var round = 0; round < 5; round++)
        {
            sentences.AddRange(Asides.Select(a => $"{a.TrimEnd('.')} (part {round + 1})."));
            if (round == 2)
            {
                sentences.Add(Fact);
            }
        }

        return string.Join(' ', sentences);
    }

    private static async Task<AgentMemory> MemoryAsync()
    {
        var memory = new AgentMemory(timeProvider: new FakeTimeProvider(Talk.May8.AddDays(3)));
        List<TurnInput> turns =
        [
            Talk.Input(LongTurnId, "user", LongRequest(), Talk.May8),
            Talk.Input("s1:2", "assistant", "Sure. Start with your fixed costs, then set a weekly limit for food and fun.", Talk.May8.AddMinutes(1)) with { Role = TurnRole.Assistant },
            Talk.Input("s1:3", "user", "I play the cello in a community orchestra on Thursdays.", Talk.May8.AddMinutes(2)),
            Talk.Input("s1:4", "user", "My neighbour Tom is learning the guitar and practises late.", Talk.May8.AddMinutes(3)),
        ];
        await memory.IngestAsync(turns);
        await memory.ConsolidateAsync();
        return memory;
    }

    [Fact]
    public void A_long_turn_is_cut_into_overlapping_windows_of_its_sentences_and_a_short_one_is_not()
    {
        var options = new PassageOptions();
        var text = LongRequest();

        var passages = PassageSplitter.Split("t1", text, options);

        Assert.True(ContextTokens.Count(text) > 500, $"{ContextTokens.Count(text)} tokens");
        Assert.True(passages.Count > 10, $"{passages.Count} passages");
        Assert.All(passages, p => Assert.Equal("t1", p.TurnId));
        Assert.All(passages, p => Assert.True(ContextTokens.Count(text.Substring(p.Start, p.Length)) <= options.PassageTokens));
        Assert.Contains(passages, p => text.Substring(p.Start, p.Length).Contains(Fact, StringComparison.Ordinal));
        Assert.Equal(0, passages[0].Start);
        Assert.Equal(text.Length, passages[^1].End);
        Assert.Empty(PassageSplitter.Split("t2", Asides[0] + " " + Asides[1], options));
    }

    [Fact]
    public async Task A_fact_in_the_middle_of_a_600_token_turn_is_retrieved_and_packed_as_an_excerpt_within_a_small_budget()
    {
        var memory = await MemoryAsync();

        var context = await memory.GetContextAsync(new ContextRequest
        {
            Query = "Where does my sister Ingrid live now?",
            TokenBudget = 120,
            PreferVerbatimWhenItFits = false,
        });

        var item = Assert.Single(context.Items, i => i.Kind == MemoryItemKind.Turn && i.Id == LongTurnId);
        Assert.Contains($"[excerpt of turn {LongTurnId}]", item.Text, StringComparison.Ordinal);
        Assert.Contains("Tromsø", item.Text, StringComparison.Ordinal);
        Assert.True(item.Text.Length < LongRequest().Length / 3, $"{item.Text.Length} characters");
        Assert.True(context.Tokens <= 120);
        Assert.Contains("Tromsø", context.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Short_turns_are_packed_whole_as_before()
    {
        var memory = await MemoryAsync();

        var context = await memory.GetContextAsync(new ContextRequest
        {
            Query = "What instrument do I play in the community orchestra?",
            TokenBudget = 60,
            PreferVerbatimWhenItFits = false,
        });

        Assert.True(context.Items.Any(i => i.Kind == MemoryItemKind.Turn && i.Id == "s1:3"), context.Text);
        var item = Assert.Single(context.Items, i => i.Kind == MemoryItemKind.Turn && i.Id == "s1:3");
        Assert.Equal(ContextRenderer.Line(MemoryItemKind.Turn, "I play the cello in a community orchestra on Thursdays.", "user"), item.Text);
        Assert.DoesNotContain("[excerpt of turn", context.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passages_are_rebuilt_from_the_turns_of_a_restored_snapshot()
    {
        var restored = new AgentMemory(timeProvider: new FakeTimeProvider(Talk.May8.AddDays(3)));
        restored.RestoreSnapshot((await MemoryAsync()).CreateSnapshot());

        var context = await restored.GetContextAsync(new ContextRequest
        {
            Query = "Where does my sister Ingrid live now?",
            TokenBudget = 120,
            PreferVerbatimWhenItFits = false,
        });

        Assert.Contains(context.Items, i => i.Id == LongTurnId && i.Text.Contains("[excerpt of turn", StringComparison.Ordinal) && i.Text.Contains("Tromsø", StringComparison.Ordinal));
    }

    [Fact]
    public void An_excerpt_shows_the_best_passage_with_ellipses_and_the_first_one_when_nothing_matches()
    {
        var index = new PassageIndex();
        var text = LongRequest();
        index.Upsert("t1", text);
        index.Upsert("t2", "Too short to cut.");

        var excerpt = index.Excerpt("t1", index.Search(MemoryFabric.Text.TextAnalyzer.Terms("Ingrid Tromsø piano")));
        var opening = index.Excerpt("t1", index.Search(MemoryFabric.Text.TextAnalyzer.Terms("zebra quantum")));

        Assert.StartsWith("[excerpt of turn t1] … ", excerpt, StringComparison.Ordinal);
        Assert.Contains(Fact, excerpt, StringComparison.Ordinal);
        Assert.EndsWith(" …", excerpt, StringComparison.Ordinal);
        Assert.StartsWith("[excerpt of turn t1] Can you help me plan a budget", opening, StringComparison.Ordinal);
        Assert.Null(index.Excerpt("t2", PassageMatch.Empty));
        Assert.False(index.Contains("t2"));
        Assert.True(index.Remove("t1"));
        Assert.Equal(0, index.PassageCount);
    }

    [Fact]
    public void A_note_drawn_from_the_turn_points_the_excerpt_at_the_sentence_it_distils_beside_the_querys_best_passage()
    {
        var index = new PassageIndex();
        index.Upsert("t1", LongRequest());
        var noteTerms = MemoryFabric.Text.TextAnalyzer.Terms("user's sister Ingrid teaches piano at the conservatory in Tromsø").Distinct().ToList();

        // The query's words ("dentist") are in another passage: the excerpt shows both, the note's and the query's.
        var match = index.Search(MemoryFabric.Text.TextAnalyzer.Terms("When is the dentist appointment?"));
        var excerpt = index.Excerpt("t1", match, noteTerms)!;
        var withoutNote = index.Excerpt("t1", match)!;

        Assert.Contains(Fact, excerpt, StringComparison.Ordinal);
        Assert.Contains("dentist appointment", excerpt, StringComparison.Ordinal);
        Assert.DoesNotContain("Ingrid", withoutNote, StringComparison.Ordinal);
        Assert.True(excerpt.IndexOf("dentist", StringComparison.Ordinal) < excerpt.IndexOf("Ingrid", StringComparison.Ordinal) == LongRequest().IndexOf("dentist", StringComparison.Ordinal) < LongRequest().IndexOf("Ingrid", StringComparison.Ordinal), "passages in the turn's order");
    }
}
