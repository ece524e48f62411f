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
                var inputs = Enumerable.Range(0, 1 + generator.Next(3)).Select(_ => Input(generator.NextTurn($"t{next++}"))).ToList();
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
        // Written with the checks off, its snapshot carries no verdicts (as one written before format 4).
        var original = new AgentMemory(new AgentMemoryOptions { Guard = new MemoryGuardOptions { Testimony = false } }, time);
        var generator = new TestimonyHistoryGenerator(seed);
        var next = 0;
        for (var i = 0; i < 40; i++)
        {
            await original.IngestAsync([Input(generator.NextTurn($"t{next++}"))]);
        }

        await original.QuarantineAsync("t3", "a reviewer's doubt", AgentMemory.ManualDetector);
        var restored = new AgentMemory(new AgentMemoryOptions(), time);
        restored.RestoreSnapshot(original.CreateSnapshot());
        Assert.True(restored.IsTestimonyBuilding, "a restore without verdicts starts the ledger's build in the background");

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

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task A_restored_snapshots_verdicts_judge_the_first_searches_as_the_ledger_would_until_a_turn_changes(int seed)
    {
        var time = new FakeTimeProvider(Talk.May8.AddYears(1));
        var original = new AgentMemory(new AgentMemoryOptions(), time);
        var generator = new TestimonyHistoryGenerator(seed);
        var next = 0;
        for (var i = 0; i < 50; i++)
        {
            await original.IngestAsync([Input(generator.NextTurn($"t{next++}"))]);
            if (i == 25)
            {
                await original.SearchAsync(new SearchRequest { Query = "said told heard", Limit = 10 }); // the ledger is built here
            }
        }

        // The ledger is brought up to date for the snapshot (the last 24 turns came after it was built).
        var snapshot = original.CreateSnapshot();
        var restored = new AgentMemory(new AgentMemoryOptions(), time);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        restored.TestimonyBuildRunner = async build =>
        {
            await gate.Task;
            return build();
        };
        restored.RestoreSnapshot(snapshot);
        Assert.False(restored.IsTestimonyBuilding, "with verdicts, the first screen starts the build, not the restore");
        var reference = new AgentMemory(new AgentMemoryOptions(), time) { TestimonyBuildRunner = build => Task.FromResult(build()) };
        reference.RestoreSnapshot(snapshot); // the same restore, judged by its ledger

        try
        {
            // While the build is held back, the first search judges from the snapshot's verdicts: the same hits and
            // the same quarantines as the same restore judged by its ledger. (A quarantine by another detector changes
            // the history the verdicts were made on: later screens wait for the ledger.)
            var query = string.Join(' ', generator.Pick(await original.GetTurnsAsync()).Text.Split(' ').Take(4)) + " said told";
            var expected = await reference.SearchAsync(new SearchRequest { Query = query, Limit = 10 });
            var actual = await restored.SearchAsync(new SearchRequest { Query = query, Limit = 10 }).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(expected.Select(h => h.Item.Id), actual.Select(h => h.Item.Id));
            Assert.Equal(1, restored.TestimonyJudgedFromSnapshot);
            Assert.True(restored.IsTestimonyBuilding);
            Assert.Equal(Quarantine(await reference.GetQuarantineAsync()), Quarantine(await restored.GetQuarantineAsync()));
            Assert.Equal(0, reference.TestimonyJudgedFromSnapshot);

            // A new turn ends them: the next screen waits for the ledger, which is the full build's.
            await restored.IngestAsync([Input(generator.NextTurn($"t{next++}"))]);
            var search = restored.SearchAsync(new SearchRequest { Query = query, Limit = 10 });
            Assert.False(search.IsCompleted, "the screen waits for the ledger's build");
            gate.SetResult();
            await search.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(1, restored.TestimonyJudgedFromSnapshot);
            await AssertSameAsync(restored, seed, 0);
        }
        finally
        {
            gate.TrySetResult();
        }

        static IEnumerable<(string, string)> Quarantine(IReadOnlyList<QuarantineEntry> entries) =>
            entries.Select(e => (e.ItemId, e.Detector)).Order();
    }

    [Fact]
    public async Task A_snapshot_of_a_memory_that_never_screened_carries_its_verdicts_and_its_restore_builds_nothing_before_the_first_screen()
    {
        var time = new FakeTimeProvider(Talk.May8.AddYears(1));
        var original = new AgentMemory(new AgentMemoryOptions(), time);
        await original.IngestAsync(Talk.Generated(sessions: 3, turnsPerSession: 10)); // never screened: the ledger was never built
        var snapshot = original.CreateSnapshot();

        var built = 0;
        var restored = new AgentMemory(new AgentMemoryOptions(), time)
        {
            TestimonyBuildRunner = build =>
            {
                built++;
                return new TaskCompletionSource<TestimonyLedger>().Task; // held back for good: the screen must not need it
            },
        };
        restored.RestoreSnapshot(snapshot);
        Assert.False(restored.IsTestimonyBuilding, "the snapshot carries verdicts: the restore builds nothing");
        Assert.Equal(0, built);

        var reference = new AgentMemory(new AgentMemoryOptions(), time) { TestimonyBuildRunner = build => Task.FromResult(build()) };
        reference.RestoreSnapshot(snapshot);
        var expected = await reference.SearchAsync(new SearchRequest { Query = "pottery class" });
        var actual = await restored.SearchAsync(new SearchRequest { Query = "pottery class" }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(expected.Select(h => h.Item.Id), actual.Select(h => h.Item.Id));
        Assert.Equal(1, restored.TestimonyJudgedFromSnapshot); // judged from the snapshot's verdicts
        Assert.Equal(1, built); // the first screen started the build, in the background
    }

    [Fact]
    public async Task A_snapshot_written_with_the_checks_off_carries_no_verdicts_and_its_restore_builds_the_ledger()
    {
        var time = new FakeTimeProvider(Talk.May8.AddYears(1));
        var original = new AgentMemory(new AgentMemoryOptions { Guard = new MemoryGuardOptions { Testimony = false } }, time);
        await original.IngestAsync(Talk.Generated(sessions: 3, turnsPerSession: 10));
        var restored = new AgentMemory(new AgentMemoryOptions(), time);
        restored.RestoreSnapshot(original.CreateSnapshot());

        await restored.SearchAsync(new SearchRequest { Query = "pottery class" });

        Assert.Equal(0, restored.TestimonyJudgedFromSnapshot);
        Assert.False(restored.IsTestimonyBuilding);
        await AssertSameAsync(restored, 0, 0);
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
