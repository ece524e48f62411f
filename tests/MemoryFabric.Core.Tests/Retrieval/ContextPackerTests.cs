using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Retrieval;

public sealed class ContextPackerTests
{
    private static readonly DateTimeOffset May7 = new(2023, 5, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset May8 = new(2023, 5, 8, 9, 0, 0, TimeSpan.Zero);

    private static ContextItem Turn(string id, string speaker, string text, DateTimeOffset at, double score) =>
        new(MemoryItemKind.Turn, id, ContextRenderer.Line(MemoryItemKind.Turn, text, speaker), at, [id], score);

    private static ContextItem Note(string id, string text, DateTimeOffset at, params string[] turns) =>
        new(MemoryItemKind.Note, id, ContextRenderer.Line(MemoryItemKind.Note, text), at, turns, 1);

    private static readonly ContextItem A = Turn("a", "Melanie", "I adopted a dog named Oscar.", May8.AddMinutes(5), 3);
    private static readonly ContextItem B = Turn("b", "Caroline", "I went to the support group.", May8, 2);
    private static readonly ContextItem C = Turn("c", "Melanie", "Pottery class was relaxing.", May7, 1);

    [Fact]
    public void Renderer_orders_chronologically_under_date_lines()
    {
        var (items, text) = ContextRenderer.Render([A, B, C]);

        Assert.Equal(["c", "b", "a"], items.Select(i => i.Id));
        Assert.Equal(
            "[7 May 2023]\nMelanie: Pottery class was relaxing.\n[8 May 2023]\nCaroline: I went to the support group.\nMelanie: I adopted a dog named Oscar.",
            text);
    }

    [Fact]
    public void Lines_have_their_kind_marker_and_no_line_breaks()
    {
        Assert.Equal("Melanie: one two", ContextRenderer.Line(MemoryItemKind.Turn, "one\r\ntwo", "Melanie"));
        Assert.Equal("- Melanie adopted a dog.", ContextRenderer.Line(MemoryItemKind.Note, "Melanie adopted a dog."));
        Assert.Equal("~ A summary.", ContextRenderer.Line(MemoryItemKind.Episode, "A summary."));
        Assert.Equal("[7 May 2023]", ContextRenderer.DateLine(May7));
    }

    [Fact]
    public void A_budget_equal_to_the_rendered_length_fits_everything()
    {
        var full = ContextRenderer.Render([A, B, C]).Text;

        var packed = ContextPacker.Pack([A, B, C], full.Length);

        Assert.Equal(3, packed.Count);
        Assert.Equal(full, ContextRenderer.Render(packed).Text);
    }

    [Fact]
    public void One_character_less_drops_an_item_and_stays_within_the_budget()
    {
        var full = ContextRenderer.Render([A, B, C]).Text;

        var packed = ContextPacker.Pack([A, B, C], full.Length - 1);

        // C is ranked last and is the only item on its date, so it costs its line and its date line.
        Assert.Equal(["a", "b"], packed.Select(i => i.Id));
        Assert.True(ContextRenderer.Render(packed).Text.Length <= full.Length - 1);
    }

    [Fact]
    public void A_shared_date_line_is_charged_once()
    {
        var twoItems = ContextRenderer.Render([A, B]).Text; // one date line for both

        Assert.Equal(2, ContextPacker.Pack([A, B], twoItems.Length).Count);
        Assert.Single(ContextPacker.Pack([A, B], twoItems.Length - 1));
    }

    [Fact]
    public void An_item_that_does_not_fit_is_skipped_but_smaller_later_ones_still_fit()
    {
        var big = Turn("big", "Caroline", new string('x', 500), May8, 5);
        var budget = ContextRenderer.Render([A]).Text.Length;

        var packed = ContextPacker.Pack([big, A], budget);

        Assert.Equal(["a"], packed.Select(i => i.Id));
    }

    [Fact]
    public void Tiny_budget_packs_nothing()
    {
        Assert.Empty(ContextPacker.Pack([A, B, C], 10));
        Assert.Empty(ContextPacker.Pack([A, B, C], 0));
    }

    [Fact]
    public void Duplicate_items_are_packed_once()
    {
        Assert.Single(ContextPacker.Pack([A, A with { Score = 1 }], 10_000));
    }

    [Fact]
    public void A_redundant_item_whose_turns_are_covered_is_skipped()
    {
        var note = Note("n", "I adopted a dog named Oscar.", May8, "a");

        Assert.Equal(["a"], ContextPacker.Pack([A, note], 10_000).Select(i => i.Id));
    }

    [Fact]
    public void A_redundant_looking_item_that_covers_a_new_turn_is_kept()
    {
        // Words all seen already, but another turn (a turn said again word for word is packed once: see below).
        var repeat = Turn("a2", "Melanie", "Oscar, I named the dog I adopted.", May8.AddMinutes(9), 1);

        Assert.Equal(["a", "a2"], ContextPacker.Pack([A, repeat], 10_000).Select(i => i.Id));
    }

    [Fact]
    public void A_novel_item_whose_turns_are_covered_is_kept()
    {
        var note = Note("n", "Melanie adopted a beagle puppy from the Boston shelter on 7 May 2023.", May8, "a");

        Assert.Equal(["a", "n"], ContextPacker.Pack([A, note], 10_000).Select(i => i.Id));
    }

    [Fact]
    public void Budget_holds_when_timestamps_have_mixed_offsets()
    {
        var a = Turn("a", "Ann", "first", new DateTimeOffset(2023, 5, 8, 10, 0, 0, TimeSpan.Zero), 3);
        var b = Turn("b", "Bob", "second", new DateTimeOffset(2023, 5, 9, 0, 0, 0, TimeSpan.FromHours(13)), 2); // 8 May 11:00 UTC
        var c = Turn("c", "Ann", "third", new DateTimeOffset(2023, 5, 8, 12, 0, 0, TimeSpan.Zero), 1);
        var budget = "[8 May 2023]\nAnn: first\n[9 May 2023]\nBob: second\nAnn: third".Length;

        var packed = ContextPacker.Pack([a, b, c], budget);

        Assert.True(ContextRenderer.Render(packed).Text.Length <= budget, ContextRenderer.Render(packed).Text);
    }

    [Fact]
    public void Left_out_items_are_reported_in_rank_order_with_why()
    {
        var big = Turn("big", "Melanie", new string('x', 400), May8.AddMinutes(9), 4);
        var restated = Note("n", "Melanie adopted a dog named Oscar.", May8, "a"); // A's terms, and only A's turn
        var leftOut = new List<(string Id, string Why)>();
        var budget = ContextRenderer.Render([A, B]).Text.Length;

        var packed = ContextPacker.Pack([A, big, restated, B], budget, 0.35, (item, why) => leftOut.Add((item.Id, why)));

        Assert.Equal(["a", "b"], packed.Select(i => i.Id));
        Assert.Equal([("big", "budget"), ("n", "redundant")], leftOut);
        Assert.Equal(packed, ContextPacker.Pack([A, big, restated, B], budget)); // the same selection without the callback
    }

    [Fact]
    public void An_item_identical_to_a_packed_one_is_left_out_as_redundant()
    {
        var first = Turn("d1", "Caroline", "I love my new pottery class!", May8, 5);
        var again = Turn("d2", "Caroline", "i love my  new pottery class", May8.AddMinutes(1), 4);
        var otherSpeaker = Turn("d3", "Melanie", "I love my new pottery class!", May8.AddMinutes(2), 3);
        var note = Note("n", "Caroline loves her new pottery class.", May8, "d1");
        var yes = Turn("y1", "Caroline", "Yes!", May8.AddMinutes(3), 2);
        var yesAgain = Turn("y2", "Caroline", "yes", May8.AddMinutes(4), 1);
        var leftOut = new List<(string Id, string Why)>();

        var packed = ContextPacker.Pack([first, again, otherSpeaker, note, yes, yesAgain], 1000, 0, (item, why) => leftOut.Add((item.Id, why)));

        Assert.Equal(["d1", "d3", "n", "y1", "y2"], packed.Select(i => i.Id)); // a short reply is never a repeat
        Assert.Equal([("d2", "redundant")], leftOut);
    }

    [Fact]
    public void A_repeat_is_the_same_level_and_letters_case_accents_punctuation_and_spacing_aside()
    {
        var filter = new RepeatFilter();
        filter.Add(Turn("a", "Zoë", "Le café était fermé, dommage.", May8, 1));

        Assert.True(filter.Repeats(Turn("b", "zoe", "le cafe etait ferme dommage", May8, 1)));
        Assert.False(filter.Repeats(Turn("c", "Zoë", "Le café était ouvert, super.", May8, 1)));
        Assert.False(filter.Repeats(Note("d", "Zoë: Le café était fermé, dommage.", May8))); // another level
        Assert.False(new RepeatFilter().Repeats(Turn("e", "Zoë", "Le café était fermé, dommage.", May8, 1)));

        var budgetLeftOut = Turn("f", "Caroline", "I adopted a cat named Miso.", May8, 1);
        var packed = ContextPacker.Pack([budgetLeftOut with { Text = budgetLeftOut.Text + new string('!', 200) }, budgetLeftOut with { Id = "g" }], 60, 0);
        Assert.Equal(["g"], packed.Select(i => i.Id)); // only what was packed counts as seen
    }
}
