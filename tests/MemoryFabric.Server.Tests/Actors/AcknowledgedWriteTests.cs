using MemoryFabric.Conversation;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Actors;

/// <summary>Once an agent's journal entry is durable the write is acknowledged: what the grain does after it (register
/// its consolidation reminders, fold the journal into a snapshot) may be refused by a busy store, and that must neither
/// fail the call (a client would retry a write that is stored) nor lose the work (it is retried).</summary>
public sealed class AcknowledgedWriteTests : IAsyncDisposable
{
    private const string Key = "acme/bot";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mf-acknowledged-tests-" + Guid.NewGuid().ToString("N"));
    private readonly List<EmbeddedFabric> _fabrics = [];

    public async ValueTask DisposeAsync()
    {
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
    public async Task A_write_whose_reminder_registration_is_refused_is_acknowledged_and_registers_it_with_the_next_write()
    {
        RefusingReminderTable? reminders = null;
        var fabric = await StartAsync(new AgentMemoryGrainOptions { ConsolidateAfterTurns = 2 },
            services => Decorate<IReminderTable>(services, inner => reminders = new RefusingReminderTable(inner)));
        reminders!.Refusing = true;

        var stored = await fabric.Agent(Key).IngestAsync([Turn("t0", "The ferry leaves at nine."), Turn("t1", "Pack the blue tent.")]);

        Assert.Equal(["t0", "t1"], stored.StoredTurnIds);
        Assert.True(reminders.Refused >= 2, $"the periodic and the pending consolidation reminders were refused ({reminders.Refused})");
        Assert.Empty(await fabric.RemindersAsync(Key));
        Assert.Equal(2, (await fabric.Agent(Key).GetTurnsAsync(null)).Count);

        reminders.Refusing = false;
        await fabric.Agent(Key).IngestAsync([Turn("t2", "The harbour closes at six.")]);
        Assert.Contains(AgentMemoryGrain.ConsolidationReminder, await fabric.RemindersAsync(Key));

        await fabric.StopAsync();
        var restarted = await StartAsync(new AgentMemoryGrainOptions { ConsolidateAfterTurns = 2 });
        Assert.Equal(["t0", "t1", "t2"], (await restarted.Agent(Key).GetTurnsAsync(null)).Select(t => t.Id));
    }

    [Fact]
    public async Task A_write_whose_snapshot_is_refused_is_acknowledged_and_kept_by_the_journal()
    {
        var options = new AgentMemoryGrainOptions { SnapshotAfterJournalEntries = 1, ConsolidateAfterTurns = 10_000 };
        var fabric = await StartAsync(options, services => Decorate<IActorStateStore>(services, inner => new RefusingSnapshotStore(inner)));
        var store = (RefusingSnapshotStore)fabric.Services.GetRequiredService<IActorStateStore>();
        store.Refusing = true;

        var stored = await fabric.Agent(Key).IngestAsync([Turn("t0", "The ferry leaves at nine.")]);
        await fabric.Agent(Key).IngestAsync([Turn("t1", "Pack the blue tent.")]);

        Assert.Equal(["t0"], stored.StoredTurnIds);
        Assert.True(store.Refused >= 2, $"a snapshot after each write was refused ({store.Refused})");
        var state = await fabric.Services.GetRequiredService<IActorStateStore>().LoadAsync(new ActorId(AgentMemoryGrain.TypeName, Key));
        Assert.Null(state.Snapshot);
        Assert.Equal(2, state.Journal.Count);

        // The snapshot at deactivation is refused too: the next start replays both writes from the journal.
        await fabric.StopAsync();
        var restarted = await StartAsync(options);
        var durable = await restarted.Services.GetRequiredService<IActorStateStore>().LoadAsync(new ActorId(AgentMemoryGrain.TypeName, Key));
        Assert.Null(durable.Snapshot);
        Assert.Equal(2, durable.Journal.Count);
        Assert.Equal(["t0", "t1"], (await restarted.Agent(Key).GetTurnsAsync(null)).Select(t => t.Id));
    }

    private async Task<EmbeddedFabric> StartAsync(AgentMemoryGrainOptions options, Action<IServiceCollection>? services = null)
    {
        options.SessionIdleConsolidation = TimeSpan.Zero;
        var fabric = new EmbeddedFabric(_directory, options, TimeProvider.System, services: services);
        _fabrics.Add(fabric);
        await fabric.StartAsync();
        return fabric;
    }

    // Wraps the last registration of a service (a singleton made by a factory, an instance or a type).
    private static void Decorate<T>(IServiceCollection services, Func<T, T> wrap)
        where T : class
    {
        var inner = services.Last(d => d.ServiceType == typeof(T) && !d.IsKeyedService);
        services.Remove(inner);
        services.AddSingleton(sp => wrap((T)(inner.ImplementationInstance
            ?? inner.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!))));
    }

    private static TurnInput Turn(string id, string text) => new()
    {
        Id = id,
        SessionId = "s1",
        Speaker = "Alice",
        Text = text,
        Timestamp = new DateTimeOffset(2025, 2, 1, 10, 0, 0, TimeSpan.Zero),
    };

    // A reminder table whose writes are refused, as a full write queue refuses them, while Refusing is set.
    private sealed class RefusingReminderTable(IReminderTable inner) : IReminderTable
    {
        private int _refused;

        public volatile bool Refusing;

        public int Refused => Volatile.Read(ref _refused);

        public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken = default) => inner.StopAsync(cancellationToken);

        public Task<ReminderTableData> ReadRows(GrainId grainId) => inner.ReadRows(grainId);

        public Task<ReminderTableData> ReadRows(uint begin, uint end) => inner.ReadRows(begin, end);

        public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => inner.ReadRow(grainId, reminderName);

        public Task<string?> UpsertRow(ReminderEntry entry) => Refuse() ?? inner.UpsertRow(entry);

        public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => inner.RemoveRow(grainId, reminderName, eTag);

        public Task TestOnlyClearTable() => inner.TestOnlyClearTable();

        private Task<string?>? Refuse()
        {
            if (!Refusing)
            {
                return null;
            }

            Interlocked.Increment(ref _refused);
            return Task.FromException<string?>(new StorageBusyException("The write queue is full (test)."));
        }
    }

    // A store that refuses the agents' snapshots while Refusing is set, and stores everything else.
    private sealed class RefusingSnapshotStore(IActorStateStore inner) : IActorStateStore
    {
        private int _refused;

        public volatile bool Refusing;

        public int Refused => Volatile.Read(ref _refused);

        public Task<ActorState> LoadAsync(ActorId actorId, CancellationToken cancellationToken = default) => inner.LoadAsync(actorId, cancellationToken);

        public Task<long> AppendAsync(ActorId actorId, IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default) =>
            inner.AppendAsync(actorId, entries, cancellationToken);

        public Task<long> WriteSnapshotAsync(ActorId actorId, ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default)
        {
            if (Refusing && actorId.Type == AgentMemoryGrain.TypeName)
            {
                Interlocked.Increment(ref _refused);
                return Task.FromException<long>(new StorageBusyException("The write queue is full (test)."));
            }

            return inner.WriteSnapshotAsync(actorId, snapshot, journalSequence, expectedVersion, cancellationToken);
        }

        public Task ClearAsync(ActorId actorId, CancellationToken cancellationToken = default) => inner.ClearAsync(actorId, cancellationToken);

        public Task PurgeDeletedAsync(CancellationToken cancellationToken = default) => inner.PurgeDeletedAsync(cancellationToken);

        public Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, CancellationToken cancellationToken = default) =>
            inner.ListKeysAsync(actorType, keyPrefix, cancellationToken);
    }
}
