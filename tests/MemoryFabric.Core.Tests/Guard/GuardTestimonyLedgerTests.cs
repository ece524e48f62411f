using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Guard;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Guard;

// The memory keeps its testimony verdicts up to date through its own hooks (turns stored, quarantined by any detector,
// released, confirmed): after every operation they equal a full TestimonyCheck.Build over the memory's history.
public sealed class GuardTestimonyLedgerTests
{
    public static TheoryData<int> Seeds() => [0, 1, 2, 3, 4, 5];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Verdicts_equal_a_full_build_after_every_ingest_search_quarantine_release_and_confirm(int seed)
    {
        var memory = new AgentMemory(new AgentMemoryOptions(), new FakeTimeProvider(Talk.May8.AddYears(1)));
        var generator = new TestimonyHistoryGenerator(seed);
        var next = 0;
        var quarantinedByTestimony = 0;
        for (var step = 0; step < 70; step++)
        {
            var roll = generator.Next();
            var turns = await memory.GetTurnsAsync();
            var quarantine = await memory.GetQuarantineAsync();
            if (roll < 0.5 || turns.Count < 5)
            {
                var inputs = Enumerable.Range(0, 1 + generator.Next(3)).Select(_ => generator.NextTurn($"t{next++}")).Select(t => new TurnInput
                {
                    Id = t.Id,
                    SessionId = t.SessionId,
                    Speaker = t.Speaker,
                    Role = t.Role,
                    Text = t.Text,
                    Timestamp = t.Timestamp,
                }).ToList();
                await memory.IngestAsync(inputs);
            }
            else if (roll < 0.75)
            {
                var words = generator.Pick(turns).Text.Split(' ');
                await memory.SearchAsync(new SearchRequest { Query = string.Join(' ', words.Take(4)), Limit = 8 });
            }
            else if (roll < 0.85)
            {
                await memory.QuarantineAsync(generator.Pick(turns).Id, "a reviewer's doubt", AgentMemory.ManualDetector);
            }
            else if (roll < 0.95)
            {
                if (quarantine.Where(e => e.Status != QuarantineStatus.Released).ToList() is { Count: > 0 } held)
                {
                    await memory.ReleaseAsync(generator.Pick(held).ItemId);
                }
            }
            else
            {
                await memory.ConfirmAsync(generator.Pick(turns).Id);
            }

            await AssertSameAsync(memory, seed, step);
            quarantinedByTestimony = (await memory.GetQuarantineAsync()).Count(e => e.Detector == TestimonyCheck.DetectorName);
        }

        Assert.Equal(1, memory.CurrentTestimony().Rebuilds);
        Assert.True(quarantinedByTestimony > 0, "the searches should have quarantined something");
    }

    [Fact]
    public async Task A_search_after_one_new_turn_refreshes_the_verdicts_without_rebuilding_them()
    {
        var memory = new AgentMemory(new AgentMemoryOptions(), new FakeTimeProvider(Talk.May8.AddYears(1)));
        await memory.IngestAsync(Talk.Generated(sessions: 20, turnsPerSession: 20));
        await memory.SearchAsync(new SearchRequest { Query = "pottery class" });

        for (var i = 0; i < 5; i++)
        {
            await memory.IngestAsync([Talk.Input($"n{i}", "Caroline", "We had soup and bread for dinner tonight.", Talk.May8.AddYears(1).AddMinutes(i), "late")]);
            await memory.SearchAsync(new SearchRequest { Query = "soup and bread" });
        }

        var ledger = memory.CurrentTestimony();
        Assert.Equal(1, ledger.Rebuilds);
        Assert.True(ledger.LastJudged < 20, $"judged {ledger.LastJudged}");
        await AssertSameAsync(memory, 0, 0);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task After_a_restore_the_ledger_is_built_in_the_background_and_changes_made_meanwhile_are_applied(int seed)
    {
        var time = new FakeTimeProvider(Talk.May8.AddYears(1));
        var original = new AgentMemory(new AgentMemoryOptions(), time);
        var generator = new TestimonyHistoryGenerator(seed);
        var next = 0;
        for (var i = 0; i < 40; i++)
        {
            await original.IngestAsync([Input(generator.NextTurn($"t{next++}"))]);
        }

        await original.SearchAsync(new SearchRequest { Query = "said told heard", Limit = 20 }); // quarantines what it flags
        var restored = new AgentMemory(new AgentMemoryOptions(), time);
        restored.RestoreSnapshot(original.CreateSnapshot());
        Assert.True(restored.IsTestimonyBuilding, "a restore starts the ledger's build in the background");

        // Changes before the first screen: new turns, a reviewer's quarantine and a release of a flagged turn.
        await restored.IngestAsync(Enumerable.Range(0, 6).Select(_ => Input(generator.NextTurn($"t{next++}"))).ToList());
        var turns = await restored.GetTurnsAsync();
        await restored.QuarantineAsync(generator.Pick(turns).Id, "a reviewer's doubt", AgentMemory.ManualDetector);
        if ((await restored.GetQuarantineAsync()).FirstOrDefault(e => e.Detector == TestimonyCheck.DetectorName) is { } flagged)
        {
            await restored.ReleaseAsync(flagged.ItemId);
        }

        await AssertSameAsync(restored, seed, 0);
        Assert.False(restored.IsTestimonyBuilding);
        Assert.Equal(1, restored.CurrentTestimony().Rebuilds); // the background build, installed: not built again
        await restored.SearchAsync(new SearchRequest { Query = string.Join(' ', turns[0].Text.Split(' ').Take(4)), Limit = 8 });
        await AssertSameAsync(restored, seed, 1);
    }

    private static TurnInput Input(Turn t) => new()
    {
        Id = t.Id,
        SessionId = t.SessionId,
        Speaker = t.Speaker,
        Role = t.Role,
        Text = t.Text,
        Timestamp = t.Timestamp,
    };

    private static async Task AssertSameAsync(AgentMemory memory, int seed, int step)
    {
        var quarantine = (await memory.GetQuarantineAsync()).ToDictionary(e => e.ItemId, StringComparer.Ordinal);
        var history = (await memory.GetTurnsAsync()).Where(t => !(quarantine.TryGetValue(t.Id, out var e) && e.Status == QuarantineStatus.Released)).ToList();
        var full = TestimonyCheck.Build(history, id => quarantine.TryGetValue(id, out var e) && e.Status != QuarantineStatus.Released);

        var ledger = memory.CurrentTestimony();

        var expected = full.Flags.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        var actual = ledger.Flags.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        Assert.True(expected.SequenceEqual(actual),
            $"seed {seed}, step {step}: expected {string.Join("; ", expected.Except(actual))}; got {string.Join("; ", actual.Except(expected))}");
        Assert.Equal(full.Held.Order(StringComparer.Ordinal), ledger.Held.Order(StringComparer.Ordinal));
    }
}
