using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Retrieval;

/// <summary>A context carries the agent's matching notes also when the history fits verbatim, and an identical turn
/// once.</summary>
public sealed class VerbatimContextTests
{
    private static readonly DateTimeOffset Now = Talk.May8.AddHours(1);

    [Fact]
    public async Task An_agent_holding_only_notes_gets_them()
    {
        var memory = new AgentMemory(timeProvider: new FakeTimeProvider(Now));
        var passport = await memory.AddNoteAsync(new NoteWrite { Text = "Alice's passport number is X1234567.", Subject = "Alice" });
        var cat = await memory.AddNoteAsync(new NoteWrite { Text = "Alice has a cat named Miso.", Subject = "Alice" });

        var context = await memory.GetContextAsync(new ContextRequest { Query = "What is Alice's passport number?", TokenBudget = 200 });

        Assert.Equal("verbatim", context.Mode);
        Assert.Contains("- Alice's passport number is X1234567.", context.Text, StringComparison.Ordinal);
        Assert.Contains(context.Items, i => i.Id == passport.Note.Id && i.Kind == MemoryItemKind.Note);
        Assert.Contains(context.Items, i => i.Id == cat.Note.Id);
        Assert.True(context.Tokens <= 200);
        Assert.Equal(ContextTokens.Count(context.Text), context.Tokens);
    }

    [Fact]
    public async Task A_note_written_through_the_api_joins_the_verbatim_history()
    {
        var memory = new AgentMemory(timeProvider: new FakeTimeProvider(Now));
        await memory.IngestAsync(Talk.SmallSession());
        var note = await memory.AddNoteAsync(new NoteWrite { Text = "Melanie's beagle Oscar is allergic to chicken.", Subject = "Melanie" });
        var history = (await memory.GetContextAsync(new ContextRequest { Query = "x", TokenBudget = AgentMemory.MaxTokenBudget })).Tokens;

        var context = await memory.GetContextAsync(new ContextRequest { Query = "What is Oscar allergic to?", TokenBudget = history });

        Assert.Equal("verbatim", context.Mode);
        Assert.Equal(Talk.SmallSession().Count + 1, context.Items.Count);
        Assert.Contains("- Melanie's beagle Oscar is allergic to chicken.", context.Text.Split('\n'));
        Assert.Contains(context.Items, i => i.Id == note.Note.Id);
        Assert.True(context.Tokens <= history);
    }

    [Fact]
    public async Task When_the_matching_notes_do_not_fit_beside_the_history_the_context_is_retrieved_within_the_budget()
    {
        var memory = new AgentMemory(timeProvider: new FakeTimeProvider(Now));
        await memory.IngestAsync(Talk.SmallSession());
        var turnsOnly = await memory.GetContextAsync(new ContextRequest { Query = "dog", TokenBudget = AgentMemory.MaxTokenBudget });
        var note = await memory.AddNoteAsync(new NoteWrite { Text = "Melanie's beagle Oscar is allergic to chicken and needs a special diet.", Subject = "Melanie" });

        var context = await memory.GetContextAsync(new ContextRequest { Query = "What is Oscar allergic to?", TokenBudget = turnsOnly.Tokens });

        Assert.Equal("retrieved", context.Mode);
        Assert.True(context.Tokens <= turnsOnly.Tokens);
        Assert.Contains(context.Items, i => i.Id == note.Note.Id);
    }

    [Fact]
    public async Task A_note_drawn_from_turns_in_the_context_that_only_repeats_them_is_left_out()
    {
        var memory = new AgentMemory(timeProvider: new FakeTimeProvider(Now));
        await memory.IngestAsync(Talk.SmallSession());
        var repeat = await memory.AddNoteAsync(new NoteWrite { Text = "Melanie watched a documentary about whales on television.", Subject = "Melanie", SourceTurnIds = ["D1:4"] });
        var adds = await memory.AddNoteAsync(new NoteWrite { Text = "Melanie adopted Oscar, a beagle, on 1 May 2023.", Subject = "Melanie", SourceTurnIds = ["D1:2"] });

        var context = await memory.GetContextAsync(new ContextRequest { Query = "Melanie", TokenBudget = 2000 });

        Assert.Equal("verbatim", context.Mode);
        Assert.DoesNotContain(context.Items, i => i.Id == repeat.Note.Id);
        Assert.Contains(context.Items, i => i.Id == adds.Note.Id); // new words: a date made absolute
    }

    [Fact]
    public async Task Identical_turns_are_packed_once_in_a_verbatim_and_in_a_retrieved_context()
    {
        var memory = new AgentMemory(timeProvider: new FakeTimeProvider(Now));
        await memory.IngestAsync(Talk.SmallSession());
        await memory.IngestAsync(Enumerable.Range(0, 5)
            .Select(i => Talk.Input("dup" + i, "Caroline", i % 2 == 0 ? "I love my new pottery class!" : "i love my new  pottery class", Talk.May8.AddMinutes(30 + i)))
            .ToList());

        var verbatim = await memory.GetContextAsync(new ContextRequest { Query = "pottery", TokenBudget = 2000 });
        var retrieved = await memory.GetContextAsync(new ContextRequest { Query = "pottery class", TokenBudget = 100 });

        Assert.Equal("verbatim", verbatim.Mode);
        Assert.Single(verbatim.Items, i => i.Id.StartsWith("dup", StringComparison.Ordinal));
        Assert.Single(verbatim.Text.Split('\n'), l => l.Contains("pottery", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(Talk.SmallSession().Count + 1, verbatim.Items.Count);
        Assert.Equal("retrieved", retrieved.Mode);
        Assert.Single(retrieved.Items, i => i.Id.StartsWith("dup", StringComparison.Ordinal));

        // The history that fits is measured once per line too: five repeats cost one line of the budget.
        var history = await memory.GetContextAsync(new ContextRequest { Query = "x", TokenBudget = AgentMemory.MaxTokenBudget });
        var tight = await memory.GetContextAsync(new ContextRequest { Query = "x", TokenBudget = history.Tokens });
        Assert.Equal("verbatim", tight.Mode);
    }
}
