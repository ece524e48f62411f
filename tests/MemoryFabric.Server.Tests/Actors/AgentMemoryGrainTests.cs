using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Retrieval;
using MemoryFabric.Server.Tests.Support;
using MemoryFabric.Storage.Sqlite.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Actors;

/// <summary>The agent grain in the embedded silo over SQLite (as the server runs it): durable reminders, deactivation
/// through Orleans' collection, restarts of the silo on the same data directory. Orleans keeps real time, so the
/// reminders here are seconds apart.</summary>
public sealed class AgentMemoryGrainTests : IAsyncDisposable
{
    private const string Key = "acme/bot";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mf-grain-tests-" + Guid.NewGuid().ToString("N"));
    private readonly EmbeddedFabric _fabric;

    public AgentMemoryGrainTests() => _fabric = Create(TimeSpan.FromHours(1));

    public async ValueTask DisposeAsync()
    {
        await _fabric.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Enough_new_turns_schedule_a_durable_consolidation_that_fires_on_a_reminder()
    {
        await _fabric.StartAsync();
        var agent = _fabric.Agent(Key);
        await agent.IngestAsync(Conversation(12));
        Assert.Contains(AgentMemoryGrain.PendingConsolidationReminder, await _fabric.RemindersAsync(Key));

        // Due one second after the tenth turn; Orleans delivers it as a turn of the grain.
        await Eventually.TrueAsync(async () => (await agent.GetStatisticsAsync()).Episodes > 0, "consolidation after 10 turns");
        await Eventually.TrueAsync(async () => !(await _fabric.RemindersAsync(Key)).Contains(AgentMemoryGrain.PendingConsolidationReminder), "the one-shot reminder removed");
        Assert.Contains(AgentMemoryGrain.ConsolidationReminder, await _fabric.RemindersAsync(Key));
    }

    [Fact]
    public async Task The_periodic_reminder_consolidates_a_few_turns()
    {
        await using var fabric = Create(TimeSpan.FromSeconds(2));
        await fabric.StartAsync();
        var agent = fabric.Agent(Key);
        await agent.IngestAsync(Conversation(4));
        Assert.Equal(0, (await agent.GetStatisticsAsync()).Episodes);

        await Eventually.TrueAsync(async () => (await agent.GetStatisticsAsync()).Episodes > 0, "the periodic consolidation");
    }

    [Fact]
    public async Task A_reminder_due_while_the_silo_was_down_fires_after_restart()
    {
        await using (var first = Create(TimeSpan.FromSeconds(3)))
        {
            await first.StartAsync();
            await first.Agent(Key).IngestAsync(Conversation(4));
            await first.StopAsync();
        }

        await Task.Delay(TimeSpan.FromSeconds(4)); // a period missed while nothing ran
        await using var second = Create(TimeSpan.FromSeconds(3));
        await second.StartAsync();
        Assert.Contains(AgentMemoryGrain.ConsolidationReminder, await second.RemindersAsync(Key));
        await Eventually.TrueAsync(async () => (await second.Agent(Key).GetStatisticsAsync()).Episodes > 0, "the reminder after restart");
    }

    [Fact]
    public async Task Deactivation_and_reactivation_keep_every_turn_episode_note_and_vector()
    {
        // Consolidation only when asked: a one-shot reminder after the first ingest (ConsolidateAfterTurns) could
        // otherwise consolidate the late turns between the two views, on a slow machine.
        await using var fabric = new EmbeddedFabric(
            _directory,
            new AgentMemoryGrainOptions { ConsolidateAfterTurns = 100_000, ConsolidationPeriod = TimeSpan.FromHours(1) },
            TimeProvider.System);
        await fabric.StartAsync();
        var agent = fabric.Agent(Key);
        await agent.IngestAsync(Conversation(30));
        await agent.ConsolidateAsync();
        var added = await agent.AddNoteAsync(new NoteWrite { Text = "Alice's favourite colour is teal.", Subject = "Alice", Attribute = "favourite colour", Value = "teal" });
        await agent.UpdateNoteAsync(added.Note.Id, new NoteWrite { Text = "Alice's favourite colour is green.", Subject = "Alice", Attribute = "favourite colour", Value = "green" });
        await agent.IngestAsync(Conversation(5, "late")); // journaled after the snapshot
        await Eventually.TrueAsync(async () => (await agent.GetStatisticsAsync()).PendingEmbeddings == 0, "dense indexing");
        var before = await SnapshotViewAsync(agent);

        await fabric.CollectAsync();
        var after = await SnapshotViewAsync(agent);

        Assert.Equal(before, after);
    }

    [Fact]
    public async Task An_idle_agent_is_deactivated_by_orleans_collection_and_leaves_a_snapshot()
    {
        await using var fabric = new EmbeddedFabric(_directory, new AgentMemoryGrainOptions(), TimeProvider.System, idleTimeout: TimeSpan.FromSeconds(3));
        await fabric.StartAsync();
        await fabric.Agent(Key).IngestAsync(Conversation(3));
        var store = fabric.Services.GetRequiredService<IActorStateStore>();
        var id = new ActorId(AgentMemoryGrain.TypeName, Key);
        Assert.Null((await store.LoadAsync(id)).Snapshot); // journaled only while the agent is active

        // Idle past the collection age: Orleans deactivates it, and the deactivation folds the journal into a snapshot.
        await Eventually.TrueAsync(async () => (await store.LoadAsync(id)) is { Snapshot: not null, Journal.Count: 0 }, "idle deactivation with a snapshot");
        Assert.Equal(3, (await fabric.Agent(Key).GetStatisticsAsync()).Turns);
    }

    [Fact]
    public async Task A_restart_of_the_silo_keeps_every_turn_note_and_search_hit()
    {
        await _fabric.StartAsync();
        var agent = _fabric.Agent(Key);
        await agent.IngestAsync(Conversation(25));
        var note = await agent.AddNoteAsync(new NoteWrite { Text = "Bob is allergic to peanuts.", Subject = "Bob" });
        await _fabric.StopAsync();

        await _fabric.StartAsync();
        agent = _fabric.Agent(Key);
        Assert.Equal(25, (await agent.GetTurnsAsync(null)).Count);
        Assert.Equal("Bob is allergic to peanuts.", (await agent.GetNoteAsync(note.Note.Id))?.Text);
        var hits = await agent.SearchAsync(new SearchRequest { Query = "peanuts allergic" });
        Assert.Contains(hits, h => h.Item.Id == note.Note.Id);
    }

    [Fact]
    public async Task What_consolidation_creates_joins_the_dense_index_without_another_write()
    {
        await _fabric.StartAsync();
        var agent = _fabric.Agent(Key);
        await agent.IngestAsync(Conversation(8));
        await Eventually.TrueAsync(async () => (await agent.GetStatisticsAsync()).PendingEmbeddings == 0, "the turns embedded");
        await agent.ConsolidateAsync();
        var after = await agent.GetStatisticsAsync();
        Assert.True(after.Episodes > 0);
        Assert.True(after.PendingEmbeddings > 0, "consolidation queues its episodes and notes");

        await Eventually.TrueAsync(async () => (await agent.GetStatisticsAsync()).PendingEmbeddings == 0, "episodes and notes embedded after consolidation");
    }

    [Fact]
    public async Task Purge_removes_state_and_reminders_and_reads_then_fail()
    {
        await _fabric.StartAsync();
        var agent = _fabric.Agent(Key);
        await agent.IngestAsync(Conversation(12));
        Assert.NotEmpty(await _fabric.RemindersAsync(Key));
        Assert.True(await agent.PurgeAsync());

        Assert.Empty(await _fabric.RemindersAsync(Key));
        await Assert.ThrowsAsync<AgentNotFoundException>(() => agent.GetStatisticsAsync());
        await _fabric.StopAsync();
        await _fabric.StartAsync();
        await Assert.ThrowsAsync<AgentNotFoundException>(() => _fabric.Agent(Key).GetStatisticsAsync());
    }

    private EmbeddedFabric Create(TimeSpan consolidationPeriod) => new(
        _directory,
        new AgentMemoryGrainOptions
        {
            ConsolidateAfterTurns = 10,
            ConsolidationDelay = TimeSpan.FromSeconds(1),
            ConsolidationPeriod = consolidationPeriod,
        },
        TimeProvider.System);

    // Everything observable, as one string: equal strings mean equal state.
    private static async Task<string> SnapshotViewAsync(IAgentMemoryGrain agent)
    {
        var export = await agent.ExportAsync();
        var stats = await agent.GetStatisticsAsync();
        var search = await agent.SearchAsync(new SearchRequest { Query = "Where did Alice move and what does she love?", Limit = 8 });
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
