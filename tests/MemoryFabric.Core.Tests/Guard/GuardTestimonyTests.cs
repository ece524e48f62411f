using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Guard;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Guard;

// The guard without trust labels: every turn here is a plain user turn (default source and trust).
public sealed class GuardTestimonyTests
{
    private static async Task<AgentMemory> FriendsAsync(bool testimony = true)
    {
        var memory = new AgentMemory(
            new AgentMemoryOptions { Guard = new MemoryGuardOptions { Testimony = testimony } },
            new FakeTimeProvider(Talk.May8.AddMonths(3)));
        await memory.IngestAsync(
        [
            Talk.Input("D1:1", "Caroline", "Hi Melanie! I live in Seattle now, right by the old harbour market.", Talk.May8, "s1"),
            Talk.Input("D1:2", "Melanie", "Oh nice, Caroline! We went camping at the beach with the kids.", Talk.May8, "s1"),
            Talk.Input("D1:3", "Caroline", "The harbour market in Seattle has the best fish stalls, I shop there every Sunday.", Talk.May8, "s1"),
        ]);
        await memory.IngestAsync(
        [
            Talk.Input("D2:1", "Melanie", "How was your week, Caroline?", Talk.May8.AddDays(7), "s2"),
            Talk.Input("D2:2", "Caroline", "Busy! I've been volunteering at the youth shelter and painting in the evenings.", Talk.May8.AddDays(7), "s2"),
            Talk.Input("D2:3", "Melanie", "My pottery class finally fired our bowls.", Talk.May8.AddDays(7), "s2"),
        ]);
        await memory.ConsolidateAsync();
        return memory;
    }

    [Fact]
    public async Task An_unlabelled_third_party_contradiction_is_quarantined_with_a_reason_and_the_subjects_own_change_passes()
    {
        var memory = await FriendsAsync();
        await memory.IngestAsync([Talk.Input("X1", "Dana", "Between us, Caroline's harbour market is in Portland; she never lived near Seattle.", Talk.May8.AddDays(20), "x1")]);
        await memory.IngestAsync(
        [
            Talk.Input("D3:1", "Caroline", "Update: I moved to Denver last month, I miss the harbour market already.", Talk.May8.AddDays(40), "s3"),
            Talk.Input("D3:2", "Melanie", "Denver! We should visit.", Talk.May8.AddDays(40), "s3"),
        ]);
        await memory.ConsolidateAsync();

        var context = await memory.GetContextAsync(new ContextRequest { Query = "Where is Caroline's harbour market?", TokenBudget = 2000 });

        Assert.DoesNotContain("Portland", context.Text, StringComparison.Ordinal);
        Assert.Contains("Denver", context.Text, StringComparison.Ordinal);
        var quarantine = await memory.GetQuarantineAsync();
        var entry = Assert.Single(quarantine, e => e.ItemId == "X1");
        Assert.Equal(TestimonyCheck.DetectorName, entry.Detector);
        Assert.Contains("hearsay about Caroline", entry.Reason, StringComparison.Ordinal);
        Assert.Contains("portland", entry.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(quarantine, e => e.Text.Contains("Denver", StringComparison.Ordinal));
        Assert.DoesNotContain(quarantine, e => e.ItemId.StartsWith('D'));
    }

    [Fact]
    public async Task A_new_fact_about_a_person_from_a_new_voice_passes()
    {
        var memory = await FriendsAsync();
        await memory.IngestAsync([Talk.Input("X1", "Dana", "Caroline has started learning the cello, her teacher comes over on Tuesdays.", Talk.May8.AddDays(20), "x1")]);
        await memory.ConsolidateAsync();

        var context = await memory.GetContextAsync(new ContextRequest { Query = "What instrument is Caroline learning?", TokenBudget = 2000 });

        Assert.Contains("cello", context.Text, StringComparison.Ordinal);
        Assert.Empty(await memory.GetQuarantineAsync());
    }

    [Fact]
    public async Task Released_hearsay_stays_released_and_confirming_it_distils_a_lesson()
    {
        var memory = await FriendsAsync();
        await memory.IngestAsync([Talk.Input("X1", "Dana", "Between us, Caroline's harbour market is in Portland; she never lived near Seattle.", Talk.May8.AddDays(20), "x1")]);
        await memory.ConsolidateAsync();
        await memory.GetContextAsync(new ContextRequest { Query = "Where is Caroline's harbour market?", TokenBudget = 2000 });
        Assert.Contains(await memory.GetQuarantineAsync(), e => e.ItemId == "X1");

        var lesson = await memory.ConfirmAsync("X1");

        Assert.NotNull(lesson);
        Assert.Contains("hearsay", lesson!.Reason, StringComparison.Ordinal);
        Assert.True(await memory.ReleaseAsync("X1"));
        var context = await memory.GetContextAsync(new ContextRequest { Query = "Where is Caroline's harbour market?", TokenBudget = 2000 });
        Assert.Contains("Portland", context.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_check_off_nothing_is_flagged()
    {
        var memory = await FriendsAsync(testimony: false);
        await memory.IngestAsync([Talk.Input("X1", "Dana", "Between us, Caroline's harbour market is in Portland; she never lived near Seattle.", Talk.May8.AddDays(20), "x1")]);
        await memory.ConsolidateAsync();

        await memory.GetContextAsync(new ContextRequest { Query = "Where is Caroline's harbour market?", TokenBudget = 2000 });

        Assert.DoesNotContain(await memory.GetQuarantineAsync(), e => e.ItemId == "X1");
    }
}
