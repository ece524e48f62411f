using MemoryFabric.Consolidation;
using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Extraction;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Consolidation;

/// <summary>Consolidation in three parts (capture, plan off the memory, apply a step at a time): the same result as in
/// one go, and what happens meanwhile (new turns, forgotten or quarantined turns, written notes) is respected.</summary>
public sealed class ConsolidationPlannerTests
{
    private static readonly TimeSpan OneStep = TimeSpan.FromTicks(1); // every call applies one item

    private readonly FakeTimeProvider _clock = new(Talk.May8.AddDays(40));

    [Fact]
    public async Task Plan_and_stepwise_apply_give_what_consolidating_in_one_go_gives()
    {
        var whole = await MemoryAsync();
        var stepwise = await MemoryAsync();

        var expected = await whole.ConsolidateAsync();
        var plan = await stepwise.PlanConsolidationAsync(stepwise.CaptureConsolidation());
        var (actual, steps) = ApplyStepwise(stepwise, plan);

        Assert.True(steps > plan.ExtractionCount, $"{steps} steps");
        Assert.Equal(expected with { Duration = default }, actual with { Duration = default });
        Assert.True(expected.NotesAdded > 10 && expected.NotesSuperseded > 0, expected.ToString());
        Assert.Equal(await ViewAsync(whole), await ViewAsync(stepwise));
        Assert.Empty(whole.UnconsolidatedSessions);
        Assert.Empty(stepwise.UnconsolidatedSessions);
    }

    [Fact]
    public async Task Planning_changes_nothing_and_applying_twice_is_refused()
    {
        var memory = await MemoryAsync();
        var before = await ViewAsync(memory);

        var plan = await memory.PlanConsolidationAsync(memory.CaptureConsolidation());

        Assert.Equal(before, await ViewAsync(memory));
        Assert.Equal(3, memory.UnconsolidatedSessions.Count);
        Assert.Equal(3, plan.SessionCount);
        Assert.True(plan.ProposalCount > 0);
        memory.ApplyConsolidation(plan);
        Assert.True(plan.IsApplied);
        Assert.Throws<InvalidOperationException>(() => memory.ApplyConsolidation(plan));
        var other = await MemoryAsync();
        Assert.Throws<ArgumentException>(() => other.ApplyConsolidation(plan));
        await Assert.ThrowsAsync<ArgumentException>(() => other.PlanConsolidationAsync(memory.CaptureConsolidation()));
    }

    [Fact]
    public async Task Turns_ingested_between_plan_and_apply_are_kept_and_consolidated_next_time()
    {
        var memory = await MemoryAsync();
        var plan = await memory.PlanConsolidationAsync(memory.CaptureConsolidation());

        await memory.IngestAsync(
        [
            Talk.Input("late-1", "Caroline", "By the way, I adopted a parrot named Kiwi this morning.", Talk.May8.AddDays(14).AddHours(2), "session-3"),
            Talk.Input("new-1", "Melanie", "I started learning the violin with a teacher called Ines.", Talk.May8.AddDays(30), "session-new"),
        ]);
        var report = memory.ApplyConsolidation(plan);

        Assert.Equal(3, report.SessionsSegmented);
        Assert.Equal(["session-3", "session-new"], memory.UnconsolidatedSessions.Order(StringComparer.Ordinal));
        Assert.NotNull(memory.GetTurn("late-1"));
        Assert.Contains(await memory.SearchAsync(new SearchRequest { Query = "parrot Kiwi" }), h => h.Item.Id == "late-1");
        Assert.DoesNotContain(await memory.GetNotesAsync(), n => n.Text.Contains("Kiwi", StringComparison.Ordinal));

        var next = await memory.ConsolidateAsync();

        Assert.Equal(2, next.SessionsSegmented);
        Assert.Empty(memory.UnconsolidatedSessions);
        var notes = await memory.GetNotesAsync();
        Assert.Contains(notes, n => n.Provenance.TurnIds.Contains("late-1"));
        Assert.Contains(notes, n => n.Provenance.TurnIds.Contains("new-1"));
        Assert.Contains((await memory.GetEpisodesAsync()).SelectMany(e => e.TurnIds), id => id == "late-1");
    }

    [Fact]
    public async Task A_turn_forgotten_between_plan_and_apply_yields_no_note()
    {
        var memory = await MemoryAsync();
        var plan = await memory.PlanConsolidationAsync(memory.CaptureConsolidation());
        Assert.Contains(Proposals(plan), n => n.Write.SourceTurnIds.Contains(SecretTurn));

        await memory.ForgetTurnsAsync([SecretTurn]);
        memory.ApplyConsolidation(plan);

        await AssertForgottenAsync(memory);
        Assert.Equal(["session-2"], memory.UnconsolidatedSessions); // its session is consolidated again, without the turn

        await memory.ConsolidateAsync();

        await AssertForgottenAsync(memory);
        Assert.Empty(memory.UnconsolidatedSessions);
        Assert.Contains(await memory.GetNotesAsync(), n => n.Provenance.TurnIds.Any(id => id.StartsWith("S2:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_turn_forgotten_between_two_apply_steps_yields_no_note()
    {
        var memory = await MemoryAsync();
        var plan = await memory.PlanConsolidationAsync(memory.CaptureConsolidation());
        Assert.Null(memory.ApplyConsolidation(plan, OneStep)); // session 1's episodes
        Assert.Null(memory.ApplyConsolidation(plan, OneStep)); // session 2's

        await memory.ForgetTurnsAsync([SecretTurn]);
        ApplyStepwise(memory, plan);

        await AssertForgottenAsync(memory);
        Assert.Equal(["session-2"], memory.UnconsolidatedSessions);
        Assert.Contains(await memory.GetNotesAsync(), n => n.Provenance.TurnIds.Any(id => id.StartsWith("S3:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_turn_quarantined_while_planning_keeps_its_session_out_of_the_plan()
    {
        var memory = await MemoryAsync();
        var plan = await memory.PlanConsolidationAsync(memory.CaptureConsolidation());

        await memory.QuarantineAsync(SecretTurn, "reported by a reviewer", "manual");
        var report = memory.ApplyConsolidation(plan);

        Assert.Equal(2, report.SessionsSegmented);
        Assert.DoesNotContain(await memory.GetNotesAsync(), n => n.Provenance.TurnIds.Contains(SecretTurn));
        Assert.Equal(["session-2"], memory.UnconsolidatedSessions);
        await memory.ConsolidateAsync();
        Assert.DoesNotContain(await memory.GetNotesAsync(), n => n.Provenance.TurnIds.Contains(SecretTurn));
        Assert.DoesNotContain((await memory.GetEpisodesAsync()).SelectMany(e => e.TurnIds), id => id == SecretTurn);
    }

    [Fact]
    public async Task A_note_written_while_planning_is_merged_with_not_duplicated()
    {
        var memory = await MemoryAsync();
        var plan = await memory.PlanConsolidationAsync(memory.CaptureConsolidation());
        var proposal = Proposals(plan).First(n => n.Write.Attribute is null);

        var written = await memory.AddNoteAsync(proposal.Write with { Source = proposal.Provenance.Source, Trust = proposal.Provenance.Trust });
        memory.ApplyConsolidation(plan);

        var notes = await memory.GetNotesAsync();
        Assert.Single(notes, n => n.Text == proposal.Write.Text.Trim() && n.Subject == proposal.Write.Subject.Trim());
        Assert.Contains(notes, n => n.LineageId == written.Note.LineageId);
    }

    [Fact]
    public async Task Only_the_named_sessions_are_consolidated()
    {
        var memory = await MemoryAsync();

        var plan = await memory.PlanConsolidationAsync(memory.CaptureConsolidation(["session-2", "unknown"]));
        var report = memory.ApplyConsolidation(plan);

        Assert.Equal(1, report.SessionsSegmented);
        Assert.Equal(["session-1", "session-3"], memory.UnconsolidatedSessions.Order(StringComparer.Ordinal));
        Assert.All(await memory.GetEpisodesAsync(), e => Assert.Equal("session-2", e.SessionId));
    }

    [Fact]
    public async Task A_failing_extractor_changes_nothing()
    {
        var memory = new AgentMemory(timeProvider: _clock, noteExtractor: new FailingExtractor());
        await memory.IngestAsync(Talk.SmallSession());
        var input = memory.CaptureConsolidation();

        await Assert.ThrowsAsync<InvalidOperationException>(() => memory.PlanConsolidationAsync(input));
        await Assert.ThrowsAsync<InvalidOperationException>(() => memory.ConsolidateAsync());

        Assert.Empty(await memory.GetEpisodesAsync());
        Assert.Equal(["s1"], memory.UnconsolidatedSessions);
    }

    [Fact]
    public async Task Planning_runs_on_another_thread_while_the_memory_serves_calls()
    {
        var extractor = new GatedExtractor();
        var memory = new AgentMemory(timeProvider: _clock, noteExtractor: extractor);
        await memory.IngestAsync(Talk.SmallSession());
        var input = memory.CaptureConsolidation();

        var planning = Task.Run(() => memory.PlanConsolidationAsync(input));
        await extractor.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await memory.IngestAsync([Talk.Input("D1:99", "Melanie", "Oscar chewed my slippers again.", Talk.May8.AddHours(1))]);
        var hits = await memory.SearchAsync(new SearchRequest { Query = "slippers" });
        Assert.False(planning.IsCompleted);
        extractor.Release.SetResult();
        var plan = await planning;
        memory.ApplyConsolidation(plan);

        Assert.Contains(hits, h => h.Item.Id == "D1:99");
        Assert.Equal(["s1"], memory.UnconsolidatedSessions); // D1:99 arrived after the capture
        Assert.Contains(await memory.GetNotesAsync(), n => n.Text == "Oscar is a beagle.");
    }

    private const string SecretTurn = "S2:3";

    private static (ConsolidationReport Report, int Steps) ApplyStepwise(AgentMemory memory, ConsolidationPlan plan)
    {
        for (var steps = 1; ; steps++)
        {
            if (memory.ApplyConsolidation(plan, OneStep) is { } report)
            {
                return (report, steps);
            }
        }
    }

    private static IEnumerable<PlannedNote> Proposals(ConsolidationPlan plan) => plan.Extractions.SelectMany(e => e.Notes);

    // Three sessions a week apart; session 2's third turn holds a fact said nowhere else, and session 3 contradicts
    // session 1 (a move), so the merge supersedes.
    private async Task<AgentMemory> MemoryAsync()
    {
        var memory = new AgentMemory(timeProvider: _clock);
        var turns = Talk.Generated(sessions: 3, turnsPerSession: 12).ToList();
        turns[0] = turns[0] with { Text = "I live in Seattle with my two cats." };
        turns[12 + 2] = turns[12 + 2] with { Text = "My locker code at the climbing gym is 4417 and nobody knows it." };
        turns[24 + 4] = turns[24 + 4] with { Text = "I moved to Boston last week." };
        Assert.Equal(SecretTurn, turns[12 + 2].Id);
        await memory.IngestAsync(turns);
        return memory;
    }

    private static async Task AssertForgottenAsync(AgentMemory memory)
    {
        Assert.Null(memory.GetTurn(SecretTurn));
        var notes = await memory.GetNotesAsync(includeInactive: true);
        Assert.DoesNotContain(notes, n => n.Provenance.TurnIds.Contains(SecretTurn));
        Assert.DoesNotContain(notes, n => n.Text.Contains("4417", StringComparison.Ordinal) || n.Text.Contains("locker", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(await memory.GetEpisodesAsync(), e => e.TurnIds.Contains(SecretTurn) || e.Summary.Contains("4417", StringComparison.Ordinal));
        Assert.DoesNotContain(await memory.SearchAsync(new SearchRequest { Query = "locker code climbing gym 4417" }), h => h.Item.Text.Contains("4417", StringComparison.Ordinal));
    }

    // Everything consolidation decides, ids of generated notes aside (they are random, and so is which of equally
    // strong links a note keeps).
    private static async Task<string> ViewAsync(AgentMemory memory)
    {
        var episodes = await memory.GetEpisodesAsync();
        var notes = await memory.GetNotesAsync(includeInactive: true);
        var lineage = notes.GroupBy(n => n.LineageId).ToDictionary(g => g.Key, g => g.OrderBy(n => n.Version).First().Text);
        var byId = notes.ToDictionary(n => n.Id, n => n.Text);
        return string.Join('\n',
            string.Join('\n', episodes.Select(e => $"{e.Id}|{e.SessionId}|{string.Join(',', e.TurnIds)}|{e.Summary}|{string.Join(',', e.Keywords)}")),
            string.Join('\n', notes
                .Select(n => $"{n.Text}|{n.Subject}|{n.Kind}|{n.Attribute}={n.Value}|{n.Status}|v{n.Version}|{lineage[n.LineageId]}|{n.Provenance.EpisodeId}|{string.Join(',', n.Provenance.TurnIds)}|{n.Provenance.Trust}|{n.Links.Count} links|{(n.SupersededById is { } s ? byId[s] : null)}")
                .Order(StringComparer.Ordinal)),
            memory.GetStatistics() with { PendingEmbeddings = 0 });
    }

    private sealed class FailingExtractor : INoteExtractor
    {
        public string Name => "failing";

        public string Version => "1";

        public Task<IReadOnlyList<NoteWrite>> ExtractAsync(NoteExtractionContext context, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The model is down.");
    }

    // Blocks in its first extraction until released; proposes one note.
    private sealed class GatedExtractor : INoteExtractor
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "gated";

        public string Version => "1";

        public async Task<IReadOnlyList<NoteWrite>> ExtractAsync(NoteExtractionContext context, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            var source = context.Turns.FirstOrDefault(t => t.Text.Contains("beagle", StringComparison.Ordinal));
            return source is null ? [] : [new NoteWrite { Text = "Oscar is a beagle.", Subject = "Oscar", SourceTurnIds = [source.Id] }];
        }
    }
}
