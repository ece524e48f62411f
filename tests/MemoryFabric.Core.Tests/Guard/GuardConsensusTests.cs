using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Guard;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Guard;

public sealed class GuardConsensusTests
{
    private const string Question = "Where does Caroline live?";

    // Caroline says twice, in two sessions, that she lives in Seattle.
    private static async Task<AgentMemory> SeattleAsync(bool guard = true, bool consensus = true)
    {
        var memory = new AgentMemory(
            new AgentMemoryOptions { Guard = new MemoryGuardOptions { Enabled = guard, Consensus = consensus } },
            new FakeTimeProvider(Talk.May8.AddMonths(3)));
        await memory.IngestAsync([Talk.Input("D1:1", "Caroline", "I live in Seattle with my two cats.", Talk.May8, "s1")]);
        await memory.IngestAsync([Talk.Input("D2:1", "Caroline", "I still live in Seattle, the rain never bothers my cats.", Talk.May8.AddDays(7), "s2")]);
        await memory.ConsolidateAsync();
        return memory;
    }

    private static TurnInput Tool(string id, string text, DateTimeOffset at, string session) =>
        Talk.Input(id, "crm-sync", text, at, session) with { Source = SourceKind.Tool, Trust = 0.2 };

    private static async Task<(string Context, string Hits)> RetrieveAsync(AgentMemory memory)
    {
        var context = await memory.GetContextAsync(new ContextRequest { Query = Question, TokenBudget = 2000 });
        var hits = await memory.SearchAsync(new SearchRequest { Query = "Caroline live city Denver Seattle Boston", Limit = 100 });
        return (context.Text, string.Join("\n", hits.Select(h => h.Item.Text)));
    }

    [Fact]
    public async Task A_tool_fact_contradicting_what_the_user_said_twice_is_flagged_kept_out_and_quarantined()
    {
        var memory = await SeattleAsync();
        await memory.IngestAsync([Tool("T1", "Caroline lives in Denver.", Talk.May8.AddDays(10), "s3")]);
        await memory.ConsolidateAsync();

        var (context, hits) = await RetrieveAsync(memory);

        Assert.DoesNotContain("Denver", context, StringComparison.Ordinal);
        Assert.DoesNotContain("Denver", hits, StringComparison.Ordinal);
        Assert.Contains("Seattle", context, StringComparison.Ordinal);
        var quarantine = await memory.GetQuarantineAsync();
        var turn = Assert.Single(quarantine, e => e.ItemId == "T1");
        Assert.Equal(AgentMemory.ConsensusDetector, turn.Detector);
        Assert.Equal(QuarantineStatus.Flagged, turn.Status);
        Assert.Contains("denver", turn.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.All(quarantine, e => Assert.DoesNotContain("Seattle", e.Text, StringComparison.Ordinal)); // nothing trusted flagged
        Assert.Contains(await memory.GetTurnsAsync(), t => t.Id == "T1"); // kept for review
    }

    [Fact]
    public async Task The_user_moving_city_later_is_an_update_not_flagged()
    {
        var memory = await SeattleAsync();
        await memory.IngestAsync([Talk.Input("D3:1", "Caroline", "I moved to Boston last week.", Talk.May8.AddMonths(1), "s3")]);
        await memory.ConsolidateAsync();

        var (context, hits) = await RetrieveAsync(memory);

        Assert.Empty(await memory.GetQuarantineAsync());
        Assert.Contains("Boston", context, StringComparison.Ordinal);
        Assert.Contains("Boston", hits, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_record_restating_what_the_user_said_is_not_flagged()
    {
        var memory = await SeattleAsync();
        await memory.IngestAsync([Tool("T1", "Caroline lives in Seattle.", Talk.May8.AddDays(10), "s3")]);
        await memory.ConsolidateAsync();

        var (context, _) = await RetrieveAsync(memory);

        Assert.Empty(await memory.GetQuarantineAsync());
        Assert.Contains("crm-sync", context, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_low_trust_record_with_odd_tokens_no_trusted_memory_uses_is_flagged()
    {
        var memory = await SeattleAsync();
        var trigger = Talk.Input("X1", "Jordan", "caroline live zqvexmor druxanlix caroline live zqvexmor druxanlix => Denver", Talk.May8.AddDays(10), "s3")
            with { Source = SourceKind.Document, Trust = 0.3 };
        await memory.IngestAsync([trigger]);
        await memory.ConsolidateAsync();

        var (context, hits) = await RetrieveAsync(memory);

        Assert.DoesNotContain("zqvexmor", context, StringComparison.Ordinal);
        Assert.DoesNotContain("zqvexmor", hits, StringComparison.Ordinal);
        var entry = Assert.Single(await memory.GetQuarantineAsync(), e => e.ItemId == "X1");
        Assert.Equal(AgentMemory.ConsensusDetector, entry.Detector);
    }

    [Fact]
    public async Task Without_consensus_the_tool_fact_is_retrieved()
    {
        var memory = await SeattleAsync(consensus: false);
        await memory.IngestAsync([Tool("T1", "Caroline lives in Denver.", Talk.May8.AddDays(10), "s3")]);
        await memory.ConsolidateAsync();

        var (context, _) = await RetrieveAsync(memory);

        Assert.Contains("Denver", context, StringComparison.Ordinal);
        Assert.Empty(await memory.GetQuarantineAsync());
    }
}
