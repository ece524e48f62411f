using MemoryFabric.Conversation;
using MemoryFabric.Extraction;
using MemoryFabric.Notes;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;
using MemoryFabric.Server.Tests.Support;
using MemoryFabric.Storage.Sqlite.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Actors;

/// <summary>Consolidation in the agent grain (the embedded silo over SQLite): it plans off the agent's turn, so reads
/// and writes go on meanwhile; an idle session is consolidated by itself; a changed consolidation period reaches an
/// existing agent when it activates. The extractor here waits for the test, so the order of events is certain.</summary>
public sealed class AgentConsolidationTests : IAsyncDisposable
{
    private const string Key = "acme/bot";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mf-consolidation-tests-" + Guid.NewGuid().ToString("N"));
    private readonly GatedExtractor _extractor = new();
    private readonly List<EmbeddedFabric> _fabrics = [];

    public async ValueTask DisposeAsync()
    {
        _extractor.Release.TrySetResult();
        foreach (var fabric in _fabrics)
        {
            await fabric.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Searches_reads_and_writes_complete_while_a_consolidation_is_planning()
    {
        var fabric = await StartAsync(new AgentMemoryGrainOptions { ConsolidationTurnBudget = TimeSpan.FromTicks(1), SessionIdleConsolidation = TimeSpan.Zero });
        var agent = fabric.Agent(Key);
        await agent.IngestAsync(Conversation(30, "s1"));

        var consolidation = agent.ConsolidateAsync();
        await _extractor.Entered.Task.WaitAsync(Patience); // planning, off the agent's turn, waits for the test

        var hits = await agent.SearchAsync(new SearchRequest { Query = "cello lessons" }).WaitAsync(Patience);
        var context = await agent.GetContextAsync(new ContextRequest { Query = "Where does Alice live?", TokenBudget = 200 }).WaitAsync(Patience);
        var turns = await agent.GetTurnsAsync(null).WaitAsync(Patience);
        var ingested = await agent.IngestAsync([Turn("late", "s1", 31, "I booked a flight to Oslo for the jazz festival.")]).WaitAsync(Patience);
        var note = await agent.AddNoteAsync(new NoteWrite { Text = "Alice's sister is called Maria.", Subject = "Alice" }).WaitAsync(Patience);
        var found = await agent.SearchAsync(new SearchRequest { Query = "Oslo jazz festival flight" }).WaitAsync(Patience);

        Assert.False(consolidation.IsCompleted, "the consolidation waits for its extractor");
        Assert.NotEmpty(hits);
        Assert.NotEmpty(context.Items);
        Assert.Equal(30, turns.Count);
        Assert.Equal(["late"], ingested.StoredTurnIds);
        Assert.Contains(found, h => h.Item.Id == "late");
        Assert.Equal(0, (await agent.GetStatisticsAsync()).Episodes);

        // Acknowledged is durable, consolidation or not: the journal holds the turn and the note.
        var durable = await DurableMemoryAsync(fabric);
        Assert.NotNull(durable.GetTurn("late"));
        Assert.NotNull(await durable.GetNoteAsync(note.Note.Id));

        _extractor.Release.SetResult();
        var report = await consolidation.WaitAsync(Patience);

        Assert.Equal(1, report.SessionsSegmented);
        Assert.True(report.NotesAdded > 0, report.ToString());
        var stats = await agent.GetStatisticsAsync();
        Assert.Equal(31, stats.Turns);
        Assert.True(stats.Episodes > 0);
        Assert.DoesNotContain((await agent.ExportAsync()).Episodes.SelectMany(e => e.TurnIds), id => id == "late"); // arrived after the capture
        Assert.Contains(await agent.GetNotesAsync(false), n => n.Id == note.Note.Id);

        var next = await agent.ConsolidateAsync().WaitAsync(Patience); // takes the turn that arrived meanwhile
        Assert.Equal(1, next.SessionsSegmented);
        Assert.Contains((await agent.ExportAsync()).Episodes.SelectMany(e => e.TurnIds), id => id == "late");
    }

    [Fact]
    public async Task A_request_during_a_consolidation_gets_one_that_includes_what_was_written_before_it()
    {
        var fabric = await StartAsync(new AgentMemoryGrainOptions { SessionIdleConsolidation = TimeSpan.Zero });
        var agent = fabric.Agent(Key);
        await agent.IngestAsync(Conversation(12, "s1"));
        var first = agent.ConsolidateAsync();
        await _extractor.Entered.Task.WaitAsync(Patience);

        await agent.IngestAsync(Conversation(6, "s2"));
        var second = agent.ConsolidateAsync();
        await Task.Delay(200);
        Assert.False(second.IsCompleted);
        _extractor.Release.SetResult();

        var reports = await Task.WhenAll(first, second).WaitAsync(Patience);
        Assert.Equal(1, reports[0].SessionsSegmented);
        Assert.Equal(1, reports[1].SessionsSegmented);
        var episodes = (await agent.ExportAsync()).Episodes;
        Assert.Contains(episodes, e => e.SessionId == "s1");
        Assert.Contains(episodes, e => e.SessionId == "s2");
    }

    [Fact]
    public async Task A_session_idle_for_the_configured_time_is_consolidated_by_itself()
    {
        _extractor.Release.SetResult();
        var fabric = await StartAsync(new AgentMemoryGrainOptions { SessionIdleConsolidation = TimeSpan.FromSeconds(1) });
        var agent = fabric.Agent(Key);
        await agent.IngestAsync(Conversation(8, "s1"));
        Assert.Equal(0, (await agent.GetStatisticsAsync()).Episodes);

        await Eventually.TrueAsync(async () => (await agent.GetStatisticsAsync()).ActiveNotes > 0, "notes of the idle session");
        Assert.Contains((await agent.ExportAsync()).Episodes, e => e.TurnIds.Contains("s1-7"));
    }

    [Fact]
    public async Task The_idle_session_timer_keeps_no_agent_in_memory()
    {
        _extractor.Release.SetResult();
        var fabric = await StartAsync(new AgentMemoryGrainOptions { SessionIdleConsolidation = TimeSpan.FromMinutes(10) }, idleTimeout: TimeSpan.FromSeconds(3));
        await fabric.Agent(Key).IngestAsync(Conversation(3, "s1"));
        var store = fabric.Services.GetRequiredService<IActorStateStore>();
        var id = new ActorId(AgentMemoryGrain.TypeName, Key);

        // Orleans collects it (deactivation folds the journal into a snapshot) with its timer still pending.
        await Eventually.TrueAsync(async () => (await store.LoadAsync(id)) is { Snapshot: not null, Journal.Count: 0 }, "idle deactivation");
        Assert.Equal(0, (await fabric.Agent(Key).GetStatisticsAsync()).Episodes);
    }

    [Fact]
    public async Task A_changed_consolidation_period_reaches_an_existing_agent_when_it_activates()
    {
        _extractor.Release.SetResult();
        var first = await StartAsync(new AgentMemoryGrainOptions { ConsolidationPeriod = TimeSpan.FromHours(1), SessionIdleConsolidation = TimeSpan.Zero });
        await first.Agent(Key).IngestAsync(Conversation(4, "s1"));
        Assert.Equal(TimeSpan.FromHours(1), await PeriodAsync(first));
        await first.StopAsync();

        var second = await StartAsync(new AgentMemoryGrainOptions { ConsolidationPeriod = TimeSpan.FromSeconds(2), SessionIdleConsolidation = TimeSpan.Zero });
        Assert.Equal(0, (await second.Agent(Key).GetStatisticsAsync()).Episodes); // activates it

        // Checked beside the activation's first call, not before it is answered.
        await Eventually.TrueAsync(async () => await PeriodAsync(second) == TimeSpan.FromSeconds(2), "the new period registered");
        await Eventually.TrueAsync(async () => (await second.Agent(Key).GetStatisticsAsync()).Episodes > 0, "a consolidation on the new period");
    }

    private async Task<EmbeddedFabric> StartAsync(AgentMemoryGrainOptions options, TimeSpan? idleTimeout = null)
    {
        options.ConsolidateAfterTurns = 10_000;
        var fabric = new EmbeddedFabric(_directory, options, TimeProvider.System, idleTimeout,
            () => new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, noteExtractor: _extractor));
        _fabrics.Add(fabric);
        await fabric.StartAsync();
        return fabric;
    }

    private static async Task<TimeSpan?> PeriodAsync(EmbeddedFabric fabric)
    {
        var table = fabric.Services.GetRequiredService<IReminderTable>();
        return (await table.ReadRow(fabric.Agent(Key).GetGrainId(), AgentMemoryGrain.ConsolidationReminder))?.Period;
    }

    // The agent as its snapshot and journal hold it: what a restart after a crash would load.
    private static async Task<AgentMemory> DurableMemoryAsync(EmbeddedFabric fabric)
    {
        var state = await fabric.Services.GetRequiredService<IActorStateStore>().LoadAsync(new ActorId(AgentMemoryGrain.TypeName, Key));
        var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true });
        if (state.Snapshot is { } snapshot)
        {
            memory.RestoreSnapshot(snapshot.Span);
        }

        foreach (var entry in state.Journal)
        {
            memory.ApplyChanges(MemoryChangeCodec.Decode(entry.Data));
        }

        return memory;
    }

    private static List<TurnInput> Conversation(int count, string session)
    {
        string[] lines =
        [
            "I moved to Lisbon last spring and I love the light there.",
            "Did you find a good place to climb near the river?",
            "My sister Maria is visiting in June with her two kids.",
            "I started cello lessons in January with a teacher called Rui.",
            "We adopted a grey cat called Pixel from the shelter.",
        ];
        return Enumerable.Range(0, count).Select(i => Turn($"{session}-{i}", session, i, lines[i % lines.Length], i % 2 == 0 ? "Alice" : "Bob")).ToList();
    }

    private static TurnInput Turn(string id, string session, int minute, string text, string speaker = "Alice") => new()
    {
        Id = id,
        SessionId = session,
        Speaker = speaker,
        Text = text,
        Timestamp = new DateTimeOffset(2025, 2, 1, 10, 0, 0, TimeSpan.Zero).AddMinutes(minute),
    };

    // The rule-based extractor, held at its first extraction until the test releases it.
    private sealed class GatedExtractor : INoteExtractor
    {
        private readonly RuleBasedNoteExtractor _rules = new();

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => _rules.Name;

        public string Version => _rules.Version;

        public async Task<IReadOnlyList<NoteWrite>> ExtractAsync(NoteExtractionContext context, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return await _rules.ExtractAsync(context, cancellationToken);
        }
    }
}
