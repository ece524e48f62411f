using MemoryFabric.Actors;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;
using MemoryFabric.Runtime;
using MemoryFabric.Runtime.Tests.Support;
using MemoryFabric.Storage.Sqlite;

namespace MemoryFabric.Server.Tests.Actors;

/// <summary>The agent actor on the local runtime over SQLite, with a manual clock: reminders, deactivation,
/// restarts.</summary>
public sealed class AgentMemoryActorTests : IAsyncDisposable
{
    private const string Key = "acme/bot";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mf-actor-tests-" + Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly AgentMemoryActorOptions _options = new()
    {
        ConsolidateAfterTurns = 10,
        ConsolidationDelay = TimeSpan.FromSeconds(1),
        ConsolidationPeriod = TimeSpan.FromHours(1),
    };

    private SqliteActorStore? _store;
    private ActorRuntime? _runtime;

    public async ValueTask DisposeAsync()
    {
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
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
    public async Task Enough_new_turns_schedule_a_durable_consolidation_that_fires_on_the_clock()
    {
        var runtime = await StartAsync();
        await IngestAsync(runtime, Conversation(12));
        Assert.Equal(0, (await StatsAsync(runtime)).Episodes);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(async () => (await StatsAsync(runtime)).Episodes > 0, "consolidation after 10 turns");
        var reminders = await ListRemindersAsync(runtime);
        Assert.Contains(AgentMemoryActor.ConsolidationReminder, reminders);
        Assert.DoesNotContain(AgentMemoryActor.PendingConsolidationReminder, reminders);
    }

    [Fact]
    public async Task The_periodic_reminder_consolidates_a_few_turns()
    {
        var runtime = await StartAsync();
        await IngestAsync(runtime, Conversation(4));
        _time.Advance(TimeSpan.FromMinutes(59));
        await Task.Delay(50);
        Assert.Equal(0, (await StatsAsync(runtime)).Episodes);

        _time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(async () => (await StatsAsync(runtime)).Episodes > 0, "the periodic consolidation");
    }

    [Fact]
    public async Task A_reminder_missed_while_down_fires_once_after_restart()
    {
        var runtime = await StartAsync();
        await IngestAsync(runtime, Conversation(4));
        await StopAsync();

        _time.Advance(TimeSpan.FromHours(5)); // five periods missed while nothing ran
        runtime = await StartAsync();
        await Eventually.TrueAsync(async () => (await StatsAsync(runtime)).Episodes > 0, "the missed reminder after restart");
    }

    [Fact]
    public async Task Deactivation_and_reactivation_keep_every_turn_episode_note_and_vector()
    {
        var runtime = await StartAsync();
        await IngestAsync(runtime, Conversation(30));
        await runtime.InvokeAsync<AgentMemoryActor, ConsolidationReport>(Key, (a, ct) => a.ConsolidateAsync(ct));
        var added = await runtime.InvokeAsync<AgentMemoryActor, NoteWriteResult>(Key, (a, ct) =>
            a.AddNoteAsync(new NoteWrite { Text = "Alice's favourite colour is teal.", Subject = "Alice", Attribute = "favourite colour", Value = "teal" }, ct));
        await runtime.InvokeAsync<AgentMemoryActor, NoteWriteResult>(Key, (a, ct) =>
            a.UpdateNoteAsync(added.Note.Id, new NoteWrite { Text = "Alice's favourite colour is green.", Subject = "Alice", Attribute = "favourite colour", Value = "green" }, ct));
        await IngestAsync(runtime, Conversation(5, "late")); // journaled after the snapshot
        await Eventually.TrueAsync(
            async () =>
            {
                _time.Advance(TimeSpan.FromMilliseconds(50)); // dense indexing runs in timer turns, one batch each
                return (await StatsAsync(runtime)).PendingEmbeddings == 0;
            },
            "dense indexing");
        var before = await SnapshotViewAsync(runtime);

        await runtime.DeactivateAsync(new ActorId(AgentMemoryActor.TypeName, Key));
        Assert.False(runtime.IsActive(new ActorId(AgentMemoryActor.TypeName, Key)));
        var after = await SnapshotViewAsync(runtime);

        Assert.Equal(before, after);
    }

    [Fact]
    public async Task What_consolidation_creates_joins_the_dense_index_without_another_write()
    {
        var runtime = await StartAsync();
        await IngestAsync(runtime, Conversation(8));
        await Eventually.TrueAsync(
            async () =>
            {
                _time.Advance(TimeSpan.FromMilliseconds(50));
                return (await StatsAsync(runtime)).PendingEmbeddings == 0;
            },
            "the turns embedded");
        await runtime.InvokeAsync<AgentMemoryActor, ConsolidationReport>(Key, (a, ct) => a.ConsolidateAsync(ct));
        var after = await StatsAsync(runtime);
        Assert.True(after.Episodes > 0);
        Assert.True(after.PendingEmbeddings > 0, "consolidation queues its episodes and notes");

        await Eventually.TrueAsync(
            async () =>
            {
                _time.Advance(TimeSpan.FromMilliseconds(50));
                return (await StatsAsync(runtime)).PendingEmbeddings == 0;
            },
            "episodes and notes embedded after consolidation");
    }

    [Fact]
    public async Task A_runtime_that_dies_without_shutdown_loses_no_acknowledged_write()
    {
        var runtime = await StartAsync();
        await IngestAsync(runtime, Conversation(25));
        var note = await runtime.InvokeAsync<AgentMemoryActor, NoteWriteResult>(Key, (a, ct) =>
            a.AddNoteAsync(new NoteWrite { Text = "Bob is allergic to peanuts.", Subject = "Bob" }, ct));

        // No StopAsync, no deactivation: only what was journaled survives.
        _runtime = null;
        await _store!.DisposeAsync();
        _store = null;

        runtime = await StartAsync();
        var turns = await runtime.InvokeAsync<AgentMemoryActor, IReadOnlyList<Turn>>(Key, (a, ct) => a.GetTurnsAsync(null, ct));
        Assert.Equal(25, turns.Count);
        var restored = await runtime.InvokeAsync<AgentMemoryActor, Note?>(Key, (a, ct) => a.GetNoteAsync(note.Note.Id, ct));
        Assert.Equal("Bob is allergic to peanuts.", restored?.Text);
        var hits = await runtime.InvokeAsync<AgentMemoryActor, IReadOnlyList<SearchHit>>(Key, (a, ct) => a.SearchAsync(new SearchRequest { Query = "peanuts allergic" }, ct));
        Assert.Contains(hits, h => h.Item.Id == note.Note.Id);
    }

    [Fact]
    public async Task Purge_removes_state_and_reminders_and_reads_then_fail()
    {
        var runtime = await StartAsync();
        await IngestAsync(runtime, Conversation(12));
        Assert.True(await runtime.InvokeAsync<AgentMemoryActor, bool>(Key, (a, ct) => a.PurgeAsync(ct)));

        Assert.Empty(await ListRemindersAsync(runtime));
        await Assert.ThrowsAsync<AgentNotFoundException>(() => StatsAsync(runtime));
        await StopAsync();
        runtime = await StartAsync();
        await Assert.ThrowsAsync<AgentNotFoundException>(() => StatsAsync(runtime));
    }

    private async Task<ActorRuntime> StartAsync()
    {
        _store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = _directory });
        var factory = new AgentMemoryFactory(() => new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, _time));
        var runtime = new ActorRuntime(
            new ActorRuntimeOptions(),
            _store,
            _store,
            [
                ActorRegistration.Create(AgentMemoryActor.TypeName, (_, context) => new AgentMemoryActor(context, factory, _options)),
            ],
            _time);
        await runtime.StartAsync(CancellationToken.None);
        _runtime = runtime;
        return runtime;
    }

    private async Task StopAsync()
    {
        await _runtime!.StopAsync(CancellationToken.None);
        await _runtime.DisposeAsync();
        _runtime = null;
        await _store!.DisposeAsync();
        _store = null;
    }

    private static Task IngestAsync(ActorRuntime runtime, IReadOnlyList<TurnInput> turns) =>
        runtime.InvokeAsync<AgentMemoryActor, IngestResult>(Key, (a, ct) => a.IngestAsync(turns, ct));

    private static Task<AgentMemoryStatistics> StatsAsync(ActorRuntime runtime) =>
        runtime.InvokeAsync<AgentMemoryActor, AgentMemoryStatistics>(Key, (a, ct) => a.GetStatisticsAsync(ct));

    private async Task<IReadOnlyList<string>> ListRemindersAsync(ActorRuntime runtime)
    {
        var all = await _store!.LoadAllAsync();
        return all.Where(r => r.ActorId == new ActorId(AgentMemoryActor.TypeName, Key)).Select(r => r.Name).ToList();
    }

    // Everything observable, as one string: equal strings mean equal state.
    private static async Task<string> SnapshotViewAsync(ActorRuntime runtime)
    {
        var export = await runtime.InvokeAsync<AgentMemoryActor, AgentExport>(Key, (a, ct) => a.ExportAsync(ct));
        var stats = await StatsAsync(runtime);
        var search = await runtime.InvokeAsync<AgentMemoryActor, IReadOnlyList<SearchHit>>(Key, (a, ct) => a.SearchAsync(new SearchRequest { Query = "Where did Alice move and what does she love?", Limit = 8 }, ct));
        return string.Join('\n',
            System.Text.Json.JsonSerializer.Serialize(export, Serialization.MemoryFabricJson.Options),
            stats.ToString(),
            string.Join(';', search.Select(h => $"{h.Item.Kind}:{h.Item.Id}:{h.LexicalRank}:{h.DenseRank}:{h.Item.Score:F6}")));
    }

    private static List<TurnInput> Conversation(int count, string prefix = "t")
    {
        string[] lines =
        [
            "I moved to Lisbon last spring and I love the light there.",
            "Did you find a good place to climb near the river?",
            "My sister Maria is visiting in June with her two kids.",
            "I started learning the cello in January.",
            "We adopted a grey cat called Pixel from the shelter.",
        ];
        var start = new DateTimeOffset(2025, 2, 1, 10, 0, 0, TimeSpan.Zero);
        return Enumerable.Range(0, count).Select(i => new TurnInput
        {
            Id = $"{prefix}{i}",
            SessionId = prefix + "-session-" + (i / 10),
            Speaker = i % 2 == 0 ? "Alice" : "Bob",
            Text = lines[i % lines.Length],
            Timestamp = start.AddMinutes(i),
        }).ToList();
    }
}
