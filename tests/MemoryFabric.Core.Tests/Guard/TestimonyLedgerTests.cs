using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Guard;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Guard;

// The ledger must give, after every change, exactly the verdicts of TestimonyCheck.Build over the same history.
public sealed class TestimonyLedgerTests
{
    private enum Status
    {
        Active,
        Quarantined,
        Released,
        Gone,
    }

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 0; seed < 24; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Incremental_verdicts_equal_a_full_rebuild_after_every_step_of_a_random_history(int seed)
    {
        var history = new History();
        var generator = new TestimonyHistoryGenerator(seed);
        var ledger = TestimonyLedger.Create([], rebuildShare: double.PositiveInfinity);
        var next = 0;
        var flagged = 0;
        for (var step = 0; step < 140; step++)
        {
            var touched = new List<string?>();
            var roll = generator.Next();
            if (roll < 0.55 || history.Count(Status.Active) < 4)
            {
                for (var i = 1 + generator.Next(3); i > 0; i--)
                {
                    var turn = generator.NextTurn($"t{next++}");
                    history.Set(turn, generator.Next() < 0.05 ? Status.Quarantined : Status.Active); // flagged at write
                    touched.Add(turn.Id);
                }
            }
            else if (roll < 0.70)
            {
                touched.Add(history.Move(generator, Status.Active, Status.Quarantined)); // another detector or a reviewer
            }
            else if (roll < 0.80)
            {
                touched.Add(history.Move(generator, Status.Quarantined, Status.Released));
            }
            else if (roll < 0.85)
            {
                touched.Add(history.Move(generator, Status.Released, Status.Quarantined)); // confirmed after a release
            }
            else if (roll < 0.90)
            {
                touched.Add(history.Move(generator, generator.Next() < 0.5 ? Status.Active : Status.Quarantined, Status.Gone)); // rolled back
            }
            else if (roll < 0.95)
            {
                touched.Add(history.Move(generator, Status.Gone, Status.Active)); // the same id stored again
            }
            else
            {
                // Quarantine what the check flags, as a screen does: deferred, applied with the next change.
                foreach (var id in ledger.Flags.Keys.Where(_ => generator.Next() < 0.3).ToList())
                {
                    history.Set(history.Turn(id), Status.Quarantined);
                    ledger.Changed(id, deferred: true);
                }

                Assert.True(ledger.IsCurrent);
                ledger.Refresh(history.State, history.All, force: true);
                AssertSame(history, ledger, seed, step);
                continue;
            }

            foreach (var id in touched.OfType<string>())
            {
                ledger.Changed(id);
            }

            ledger.Refresh(history.State, history.All);
            AssertSame(history, ledger, seed, step);
            flagged = Math.Max(flagged, ledger.Flags.Count);
        }

        Assert.Equal(1, ledger.Rebuilds); // only at creation: every step was incremental
        Assert.True(flagged > 0, "the generated histories should flag something");
    }

    [Fact]
    public void The_random_histories_exercise_every_kind_of_verdict()
    {
        var reasons = new List<string>();
        for (var seed = 0; seed < 24; seed++)
        {
            var history = new History();
            var generator = new TestimonyHistoryGenerator(seed);
            for (var i = 0; i < 300; i++)
            {
                history.Set(generator.NextTurn($"t{i}"), generator.Next() < 0.05 ? Status.Quarantined : Status.Active);
            }

            reasons.AddRange(Build(history).Flags.Values);
        }

        Assert.Contains(reasons, r => r.Contains("hearsay about", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("retrieval bait", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("repeats the claim of turn", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("voices with no standing in this history repeat one claim", StringComparison.Ordinal));
    }

    [Fact]
    public void A_term_that_more_than_200_voices_use_stops_linking_them_and_links_them_again_when_they_leave()
    {
        var history = new History();
        var ledger = TestimonyLedger.Create([], rebuildShare: double.PositiveInfinity);
        var sequence = 0L;
        void Add(Turn turn)
        {
            history.Set(turn, Status.Active);
            ledger.Changed(turn.Id);
        }

        // Two established speakers, so the voices have a history to be checked against.
        for (var i = 0; i < 4; i++)
        {
            Add(Talk.Turn($"c{i}", "Caroline", $"I walked over the old bridge number {i} today.", Talk.May8.AddMinutes(i), ++sequence, "d"));
            Add(Talk.Turn($"m{i}", "Melanie", $"My garden path number {i} needs weeding.", Talk.May8.AddMinutes(i), ++sequence, "d"));
        }

        // Every voice repeats "rumour lighthouse" and adds a word of its own: two shared terms link them all (a
        // chorus) until more than 200 voices use them, and then none.
        var ids = new List<string>();
        for (var i = 0; i < 215; i++)
        {
            var id = $"v{i}";
            Add(Talk.Turn(id, $"Voice{i}", $"rumour lighthouse {Word(i)}", Talk.May8.AddDays(1).AddMinutes(i), ++sequence, "solo-" + id));
            ids.Add(id);
            if (i % 25 == 0 || i is > 195 and < 205)
            {
                ledger.Refresh(history.State, history.All);
                AssertSame(history, ledger, 0, i);
            }
        }

        Assert.Empty(ledger.Flags);
        foreach (var id in ids.Take(20))
        {
            history.Set(history.Turn(id), Status.Released);
            ledger.Changed(id);
            ledger.Refresh(history.State, history.All);
            AssertSame(history, ledger, 1, 0);
        }

        Assert.Equal(195, ledger.Flags.Count);
        Assert.Equal(1, ledger.Rebuilds);

        static string Word(int i) => string.Concat("zq", (char)('a' + (i / 26 % 26)), (char)('a' + (i % 26)), "x");
    }

    [Fact]
    public void A_chorus_passes_once_a_speaker_who_stated_it_becomes_established()
    {
        var history = new History();
        var ledger = TestimonyLedger.Create([], rebuildShare: double.PositiveInfinity);
        var sequence = 0L;
        void Add(string id, string speaker, string text, string session)
        {
            history.Set(Talk.Turn(id, speaker, text, Talk.May8.AddMinutes(sequence), ++sequence, session), Status.Active);
            ledger.Changed(id);
            ledger.Refresh(history.State, history.All);
            AssertSame(history, ledger, 0, (int)sequence);
        }

        Add("c1", "Caroline", "I painted the fence blue this morning.", "d");
        Add("m1", "Melanie", "My kids loved the pottery class.", "d");
        Add("c2", "Caroline", "I am reading a novel about sailors.", "d");
        Add("m2", "Melanie", "We went camping by the lake.", "d");
        Add("c3", "Caroline", "I adopted a kitten last week.", "d");
        Add("m3", "Melanie", "My running shoes finally wore out.", "d");
        Add("e0", "Evan", "I heard on the radio that the lighthouse keeper retired.", "solo-e"); // alone: no standing yet
        Add("v1", "Dana", "The lighthouse keeper retired.", "solo-v1");
        Add("v2", "Rex", "So the lighthouse keeper retired, apparently.", "solo-v2");
        Add("v3", "Ola", "The old lighthouse keeper retired.", "solo-v3");
        Assert.Equal(["v1", "v2", "v3"], ledger.Flags.Keys.Order(StringComparer.Ordinal));

        Add("e1", "Evan", "Good to meet you, I moved here in spring.", "d2");
        Add("x1", "Caroline", "Welcome! I run the book club.", "d2");
        Add("e2", "Evan", "I would love to join the club.", "d2");
        Add("e3", "Evan", "I will bring a novel next time.", "d2");

        Assert.Empty(ledger.Flags); // Evan has standing now, and his own turn states the claim
    }

    [Fact]
    public void One_new_turn_on_a_long_history_judges_a_handful_of_turns_not_the_history()
    {
        var history = new History();
        var generator = new TestimonyHistoryGenerator(11);
        for (var i = 0; i < 2_000; i++)
        {
            history.Set(generator.NextTurn($"t{i}"), Status.Active);
        }

        var ledger = TestimonyLedger.Create(history.All());
        var judged = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            var turn = new Turn($"n{i}", "d1", i % 2 == 0 ? "Caroline" : "Melanie", TurnRole.User, "We had soup and bread for dinner tonight.",
                Talk.May8.AddYears(1).AddMinutes(i), 10_000 + i, new Dictionary<string, string>());
            history.Set(turn, Status.Active);
            ledger.Changed(turn.Id);
            ledger.Refresh(history.State, history.All);
            judged.Add(ledger.LastJudged);
        }

        AssertSame(history, ledger, 11, 0);
        Assert.Equal(1, ledger.Rebuilds);
        Assert.True(judged.Max() < 50, $"judged per append: {string.Join(",", judged)}");
    }

    [Fact]
    public void Many_changes_at_once_rebuild_with_the_same_verdicts()
    {
        var history = new History();
        var generator = new TestimonyHistoryGenerator(3);
        for (var i = 0; i < 200; i++)
        {
            history.Set(generator.NextTurn($"t{i}"), Status.Active);
        }

        var ledger = TestimonyLedger.Create(history.All());
        for (var i = 200; i < 400; i++)
        {
            var turn = generator.NextTurn($"t{i}");
            history.Set(turn, Status.Active);
            ledger.Changed(turn.Id);
        }

        ledger.Refresh(history.State, history.All);

        Assert.Equal(2, ledger.Rebuilds);
        AssertSame(history, ledger, 3, 0);
    }

    [Fact]
    public void A_deferred_change_waits_for_the_next_refresh_that_something_else_calls_for()
    {
        var history = new History();
        var generator = new TestimonyHistoryGenerator(4);
        for (var i = 0; i < 150; i++)
        {
            history.Set(generator.NextTurn($"t{i}"), Status.Active);
        }

        var ledger = TestimonyLedger.Create(history.All());
        var id = Assert.IsType<string>(ledger.Flags.Keys.FirstOrDefault());
        history.Set(history.Turn(id), Status.Quarantined);
        ledger.Changed(id, deferred: true);

        ledger.Refresh(history.State, history.All);
        Assert.True(ledger.Flags.ContainsKey(id)); // flagged until the next refresh: the screen's own quarantine
        Assert.DoesNotContain(id, ledger.Held);

        var turn = generator.NextTurn("late");
        history.Set(turn, Status.Active);
        ledger.Changed(turn.Id);
        ledger.Refresh(history.State, history.All);
        Assert.False(ledger.Flags.ContainsKey(id));
        Assert.Contains(id, ledger.Held);
        AssertSame(history, ledger, 4, 0);
    }

    private static TestimonyCheck Build(History history)
    {
        var turns = history.All().Select(s => s.Turn).OrderBy(t => t.Timestamp).ThenBy(t => t.Sequence).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
        var quarantined = history.All().Where(s => s.Quarantined).Select(s => s.Turn.Id).ToHashSet(StringComparer.Ordinal);
        return TestimonyCheck.Build(turns, quarantined.Contains);
    }

    private static void AssertSame(History history, TestimonyLedger ledger, int seed, int step)
    {
        var full = Build(history);
        var expected = full.Flags.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        var actual = ledger.Flags.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        if (!expected.SequenceEqual(actual))
        {
            var missing = expected.Except(actual).Select(f => $"- {f.Key}: {f.Value} [{history.Turn(f.Key).Speaker}: {history.Turn(f.Key).Text}]");
            var extra = actual.Except(expected).Select(f => $"+ {f.Key}: {f.Value} [{history.Turn(f.Key).Speaker}: {history.Turn(f.Key).Text}]");
            Assert.Fail($"seed {seed}, step {step}: the ledger differs from a full build\n{string.Join("\n", missing.Concat(extra))}");
        }

        Assert.Equal(full.Held.Order(StringComparer.Ordinal), ledger.Held.Order(StringComparer.Ordinal));

        // And so do the verdicts on candidates: a turn, a note from two turns, an episode.
        var ids = history.All().Select(s => s.Turn.Id).ToList();
        for (var i = 0; i + 1 < ids.Count; i += 7)
        {
            foreach (var kind in new[] { MemoryItemKind.Turn, MemoryItemKind.Note, MemoryItemKind.Episode })
            {
                IReadOnlyList<string> turns = kind == MemoryItemKind.Turn ? [ids[i]] : [ids[i], ids[i + 1]];
                var a = full.Judge(kind, "item", turns);
                var b = ledger.Judge(kind, "item", turns);
                Assert.Equal(a.Drop, b.Drop);
                Assert.Equal(a.Flags, b.Flags);
            }
        }
    }

    // The model: each turn id with its turn and status.
    private sealed class History
    {
        private readonly Dictionary<string, (Turn Turn, Status Status)> _turns = new(StringComparer.Ordinal);

        public int Count(Status status) => _turns.Values.Count(t => t.Status == status);

        public Turn Turn(string id) => _turns[id].Turn;

        public void Set(Turn turn, Status status) => _turns[turn.Id] = (turn, status);

        // Moves a random turn from one status to another; null when none has the first.
        public string? Move(TestimonyHistoryGenerator generator, Status from, Status to)
        {
            var candidates = _turns.Where(t => t.Value.Status == from).Select(t => t.Key).Order(StringComparer.Ordinal).ToList();
            if (candidates.Count == 0)
            {
                return null;
            }

            var id = generator.Pick(candidates);
            _turns[id] = (_turns[id].Turn, to);
            return id;
        }

        public (Turn Turn, bool Quarantined)? State(string id) =>
            _turns.TryGetValue(id, out var t) && t.Status is Status.Active or Status.Quarantined ? (t.Turn, t.Status == Status.Quarantined) : null;

        public IEnumerable<(Turn Turn, bool Quarantined)> All() =>
            _turns.Values.Where(t => t.Status is Status.Active or Status.Quarantined).Select(t => (t.Turn, t.Status == Status.Quarantined));
    }
}
