using MemoryFabric.Runtime.Tests.Actors;

namespace MemoryFabric.Runtime.Tests.Support;

/// <summary>A runtime over a manual clock and in-memory (or given) stores, with every test actor registered.
/// <see cref="RestartAsync"/> replaces the runtime by a new one over the same stores and clock.</summary>
public sealed class RuntimeHarness : IAsyncDisposable
{
    private readonly Action<ActorRuntimeOptions>? _configure;

    /// <summary>Creates the harness and its first runtime (not started).</summary>
    /// <param name="configure">Configures the options.</param>
    /// <param name="stateStore">The state store; in memory when null.</param>
    /// <param name="reminderStore">The reminder store; in memory when null.</param>
    public RuntimeHarness(Action<ActorRuntimeOptions>? configure = null, IActorStateStore? stateStore = null, IReminderStore? reminderStore = null)
    {
        _configure = configure;
        StateStore = stateStore ?? new InMemoryActorStateStore();
        ReminderStore = reminderStore ?? new InMemoryReminderStore();
        Runtime = CreateRuntime();
    }

    /// <summary>The clock.</summary>
    public ManualTimeProvider Time { get; } = new();

    /// <summary>What the actors saw.</summary>
    public ActorProbe Probe { get; } = new();

    /// <summary>The state store.</summary>
    public IActorStateStore StateStore { get; }

    /// <summary>The reminder store.</summary>
    public IReminderStore ReminderStore { get; }

    /// <summary>The current runtime.</summary>
    public ActorRuntime Runtime { get; private set; }

    /// <summary>The registrations of the test actors.</summary>
    /// <param name="probe">The probe they report to.</param>
    /// <returns>The registrations.</returns>
    public static IEnumerable<ActorRegistration> Registrations(ActorProbe probe) =>
    [
        ActorRegistration.Create("counter", (_, context) => new CounterActor(context, probe)),
        ActorRegistration.Create("work", (_, context) => new WorkActor(context)),
        ActorRegistration.Create("flaky", (_, context) => new FlakyActor(context, probe)),
        ActorRegistration.Create("reminder", (_, context) => new ReminderActor(context, probe)),
        ActorRegistration.Create("ping", (_, context) => new PingActor(context)),
        ActorRegistration.Create("pong", (_, context) => new PongActor(context)),
        ActorRegistration.Create("plain", (_, context) => new PlainActor(context)),
    ];

    /// <summary>Disposes the current runtime and starts a new one over the same stores and clock.</summary>
    /// <returns>The new runtime.</returns>
    public async Task<ActorRuntime> RestartAsync()
    {
        await Runtime.DisposeAsync();
        Runtime = CreateRuntime();
        await Runtime.StartAsync(CancellationToken.None);
        return Runtime;
    }

    /// <summary>Replaces the current runtime (already disposed by the test) by a new, unstarted one.</summary>
    /// <returns>The new runtime.</returns>
    public ActorRuntime Recreate()
    {
        Runtime = CreateRuntime();
        return Runtime;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Runtime.DisposeAsync();

    private ActorRuntime CreateRuntime()
    {
        var options = new ActorRuntimeOptions
        {
            IdleTimeout = TimeSpan.FromMinutes(10),
            IdleScanInterval = TimeSpan.FromMinutes(1),
        };
        _configure?.Invoke(options);
        return new ActorRuntime(options, StateStore, ReminderStore, Registrations(Probe), Time);
    }
}
