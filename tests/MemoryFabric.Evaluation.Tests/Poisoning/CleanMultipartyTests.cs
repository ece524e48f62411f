using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Evaluation.Poisoning;
using MemoryFabric.Guard;

namespace MemoryFabric.Evaluation.Tests.Poisoning;

public sealed class CleanMultipartyTests
{
    // Two copies of the fixture, the second one's speakers renamed: four speakers, ids that collide.
    private static ConversationDataset TwoConversations()
    {
        var first = PoisonFixture.Create();
        var second = first with
        {
            Id = "other",
            Sessions = first.Sessions.Select(s => s with
            {
                Date = s.Date.AddDays(1),
                Turns = s.Turns.Select(t => t with { Speaker = t.Speaker == "Ana" ? "Cleo" : "Dev" }).ToList(),
            }).ToList(),
        };
        return new ConversationDataset("two", DatasetFormat.Generic, [first, second]);
    }

    [Fact]
    public void The_stream_interleaves_every_conversation_with_prefixed_ids()
    {
        var sessions = CleanMultiparty.Stream(TwoConversations(), CleanStreamLayout.Sessions);

        Assert.Equal(6, sessions.Count);
        var turns = sessions.SelectMany(s => s).ToList();
        Assert.Equal(14, turns.Count);
        Assert.Equal(turns.Count, turns.Select(t => t.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(4, turns.Select(t => t.Speaker).Distinct(StringComparer.Ordinal).Count());
        Assert.StartsWith("synthetic|", sessions[0][0].Id, StringComparison.Ordinal);
        Assert.StartsWith("other|", sessions[1][0].Id, StringComparison.Ordinal); // by date: the copy is a day later
        Assert.True(turns.Zip(turns.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp || p.First.SessionId != p.Second.SessionId));
    }

    [Fact]
    public void The_single_turn_layout_gives_every_turn_its_own_session()
    {
        var sessions = CleanMultiparty.Stream(TwoConversations(), CleanStreamLayout.SingleTurns);

        Assert.Equal(14, sessions.Count);
        Assert.All(sessions, s => Assert.Single(s));
        Assert.Equal(14, sessions.Select(s => s[0].SessionId).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task On_clean_data_the_guard_quarantines_nothing_and_recall_is_measured_per_conversation()
    {
        var result = await CleanMultiparty.RunAsync(
            TwoConversations(),
            guard => new AgentMemory(new AgentMemoryOptions { Guard = new MemoryGuardOptions { Enabled = guard } }),
            new PoisonBenchmarkOptions { TokenBudget = 1000 },
            CleanStreamLayout.Sessions);

        Assert.Equal(4, result.Speakers);
        Assert.Equal(14, result.Turns);
        Assert.Equal(0, result.TurnsQuarantined + result.NotesQuarantined);
        Assert.Equal(0, result.FalseQuarantine);
        Assert.Equal(14, result.Questions);
        Assert.NotNull(result.RecallOn);
        Assert.Equal(result.RecallOff, result.RecallOn);
        Assert.Contains("| sessions | 4 | 14 |", CleanMultiparty.ToMarkdown([result]), StringComparison.Ordinal);
    }
}
