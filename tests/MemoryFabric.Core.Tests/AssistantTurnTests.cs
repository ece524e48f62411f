using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Extraction;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests;

// Issue 27, item 3: what the assistant said is memory too (retrieved and packed like what the user said), but notes
// are distilled from what people say.
public sealed class AssistantTurnTests
{
    private const string RecipeTurnId = "s1:2";

    private static TurnInput Said(string id, string speaker, TurnRole role, string text, int minute, string session = "s1") =>
        Talk.Input(id, speaker, text, Talk.May8.AddMinutes(minute), session) with { Role = role };

    // A user and an assistant: a recipe the assistant gave, a fact the user stated, then unrelated sessions enough
    // that the history does not fit a small budget.
    private static List<TurnInput> UserAndAssistant()
    {
        var turns = new List<TurnInput>
        {
            Said("s1:1", "user", TurnRole.User, "Can you give me a recipe for pierogi? I have potatoes and farmer cheese.", 0),
            Said(RecipeTurnId, "assistant", TurnRole.Assistant,
                "Here is a pierogi recipe. First, mix flour, egg and warm water into a soft dough. Second, mash the potatoes with the farmer cheese "
                + "and fried onion. Third, roll the dough thin and cut circles. Fourth, fill each circle, fold and pinch the edges shut. "
                + "Fifth, boil them in salted water until they float, then fry them in butter.", 1),
            Said("s1:3", "user", TurnRole.User, "Thanks! I adopted a tabby cat named Biscuit last week, she will want some too.", 2),
            Said("s1:4", "assistant", TurnRole.Assistant, "You live in Denver, so you can find farmer cheese at the Polish deli on Colfax.", 3),
        };
        string[] filler =
        [
            "Could you suggest a stretching routine for the morning?",
            "Try ten minutes: neck rolls, shoulder circles, a forward fold and a slow lunge on each side.",
            "What is a good way to learn the basics of chess openings?",
            "Start with the Italian game and the Queen's gambit, and play through a few annotated master games.",
            "How do I keep basil alive on a windowsill?",
            "Give it six hours of light, water when the topsoil is dry and pinch the tops so it grows bushy.",
        ];
        for (var session = 2; session <= 6; session++)
        {
            for (var i = 0; i < filler.Length; i++)
            {
                turns.Add(Said($"s{session}:{i + 1}", i % 2 == 0 ? "user" : "assistant", i % 2 == 0 ? TurnRole.User : TurnRole.Assistant,
                    $"{filler[i]} (week {session})", (session * 1440) + i, $"s{session}"));
            }
        }

        return turns;
    }

    private static async Task<AgentMemory> MemoryAsync()
    {
        var memory = new AgentMemory(timeProvider: new FakeTimeProvider(Talk.May8.AddDays(10)));
        await memory.IngestAsync(UserAndAssistant());
        await memory.ConsolidateAsync();
        return memory;
    }

    [Fact]
    public async Task A_question_about_what_the_assistant_said_finds_the_assistant_turn()
    {
        var memory = await MemoryAsync();

        var context = await memory.GetContextAsync(new ContextRequest
        {
            Query = "What was the fourth step of the pierogi recipe you gave me?",
            TokenBudget = 150,
            PreferVerbatimWhenItFits = false,
        });

        Assert.Contains(context.Items, item => item.TurnIds.Contains(RecipeTurnId));
        Assert.Contains("pinch the edges", context.Text, StringComparison.Ordinal);
        var hits = await memory.SearchAsync(new SearchRequest { Query = "pierogi recipe you gave me", Limit = 3 });
        Assert.Contains(hits, h => h.Item.Id == RecipeTurnId); // with the request it answered
    }

    [Fact]
    public async Task An_assistant_turn_does_not_become_a_user_fact_note()
    {
        var memory = await MemoryAsync();

        var notes = await memory.GetNotesAsync();

        // The user's own statement becomes a note; the assistant's claims about the user do not.
        Assert.Contains(notes, n => n.Text.Contains("Biscuit", StringComparison.Ordinal));
        Assert.DoesNotContain(notes, n => n.Text.Contains("Denver", StringComparison.Ordinal));
        var assistantTurns = UserAndAssistant().Where(t => t.Role == TurnRole.Assistant).Select(t => t.Id).ToHashSet();
        Assert.DoesNotContain(notes, n => n.Provenance.TurnIds.All(assistantTurns.Contains));
    }

    [Fact]
    public async Task The_rule_extractor_takes_no_note_from_an_assistant_turn_but_reads_its_question()
    {
        var question = new Turn("t1", "s1", "assistant", TurnRole.Assistant, "Where did you move to this spring?", Talk.May8, 1, new Dictionary<string, string>());
        var answer = new Turn("t2", "s1", "user", TurnRole.User, "Denver, we moved in April with the whole family.", Talk.May8.AddMinutes(1), 2, new Dictionary<string, string>());
        var claim = new Turn("t3", "s1", "assistant", TurnRole.Assistant, "Denver has three hundred sunny days and great hiking trails nearby.", Talk.May8.AddMinutes(2), 3, new Dictionary<string, string>());

        var notes = await new RuleBasedNoteExtractor().ExtractAsync(Talk.Context([question, answer, claim], "user", "assistant"));

        Assert.NotEmpty(notes);
        Assert.All(notes, n => Assert.Equal(["t2"], n.SourceTurnIds));
    }
}
