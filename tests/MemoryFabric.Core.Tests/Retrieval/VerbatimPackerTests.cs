using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Retrieval;

public sealed class VerbatimPackerTests
{
    private static readonly DateTimeOffset May8 = new(2023, 5, 8, 9, 0, 0, TimeSpan.Zero);

    private static ContextItem Turn(string id, string speaker, string text, int minute = 0) =>
        new(MemoryItemKind.Turn, id, ContextRenderer.Line(MemoryItemKind.Turn, text, speaker), May8.AddMinutes(minute), [id], 0);

    private static ContextItem Note(string id, string text, DateTimeOffset at, params string[] turns) =>
        new(MemoryItemKind.Note, id, ContextRenderer.Line(MemoryItemKind.Note, text), at, turns, 1);

    private static readonly ContextItem[] History =
    [
        Turn("t1", "Melanie", "I adopted a dog last week, a beagle named Oscar."),
        Turn("t2", "Caroline", "The weather has been rainy all week here.", 1),
        Turn("t3", "Melanie", "I adopted a dog last week, a beagle named Oscar!", 2),
    ];

    [Fact]
    public void The_history_goes_in_whole_with_each_identical_turn_once_then_the_notes_that_add_something()
    {
        var repeat = Note("n1", "Melanie adopted a dog, a beagle named Oscar.", May8, "t1");
        var dated = Note("n2", "Melanie adopted a beagle named Oscar on 1 May 2023.", May8, "t1");
        var api = Note("n3", "Melanie adopted a dog.", May8.AddDays(1)); // no source turns: always goes in

        var packed = VerbatimPacker.Pack(History, [repeat, dated, api], 1000, 0.35);

        Assert.NotNull(packed);
        Assert.Equal(["t1", "t2", "n2", "n3"], packed.Select(i => i.Id));
        Assert.True(ContextRenderer.Render(packed).Text.Length <= 1000);
    }

    [Fact]
    public void Nothing_comes_back_when_a_matching_note_does_not_fit()
    {
        var api = Note("n3", "Melanie's beagle Oscar is allergic to chicken.", May8);
        var turnsOnly = ContextRenderer.Render(VerbatimPacker.Pack(History, [], 1000, 0.35)!).Text.Length;
        var withNote = ContextRenderer.Render(VerbatimPacker.Pack(History, [api], 1000, 0.35)!).Text.Length;

        Assert.NotNull(VerbatimPacker.Pack(History, [api], withNote, 0.35));
        Assert.Null(VerbatimPacker.Pack(History, [api], withNote - 1, 0.35));
        Assert.Null(VerbatimPacker.Pack(History, [], turnsOnly - 1, 0.35));
    }

    [Fact]
    public void An_agent_with_notes_only_gets_its_notes()
    {
        var packed = VerbatimPacker.Pack([], [Note("a", "Alice's passport number is X1234567.", May8), Note("b", "Alice has a cat.", May8)], 100, 0.35);

        Assert.Equal(["a", "b"], packed!.Select(i => i.Id));
    }
}
