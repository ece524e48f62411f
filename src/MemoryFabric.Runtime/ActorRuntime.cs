using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MemoryFabric.Runtime.Activation;
using MemoryFabric.Runtime.Diagnostics;
using MemoryFabric.Runtime.Reminders;
using MemoryFabric.Runtime.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MemoryFabric.Runtime;

/// <summary>
/// The local actor runtime: actors live in this process, are activated on their first call, run one turn at a time
/// (calls to one actor in order, different actors in parallel), are deactivated when idle, over the cap or on
/// shutdown, and receive durable reminders. Modelled on Orleans grains.
/// </summary>
/// <remarks>
/// Register it with <c>services.AddActorRuntime()</c> (it is an <see cref="IHostedService"/>), or construct it
/// directly and call <see cref="StartAsync"/>. Calls work before <see cref="StartAsync"/>; the idle scan and reminders
/// run only once started. <see cref="StopAsync"/> (or <see cref="DisposeAsync"/>) deactivates every actor with
/// <see cref="DeactivationReason.Shutdown"/>, so they persist their state.
/// </remarks>
public sealed class ActorRuntime : IActorClient, IHostedService, IAsyncDisposable
{
    private readonly ActorRuntimeOptions _options;
    private readonly IActorStateStore _stateStore;
    private readonly ReminderService _reminders;
    private readonly Dictionary<string, ActorRegistration> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, ActorRegistration> _byType = [];
    private readonly ConcurrentDictionary<Type, ActorRegistration> _resolved = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _stateLock = new();
    private ITimer? _idleTimer;
    private Task? _stopTask;
    private bool _started;
    private volatile bool _stopping;
    private volatile bool _disposed;

    /// <summary>Creates a runtime.</summary>
    /// <param name="options">The options.</param>
    /// <param name="stateStore">Where actor state is stored.</param>
    /// <param name="reminderStore">Where reminders are stored.</param>
    /// <param name="actors">The actor classes.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">The loggers; none when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the meter; a private <see cref="Meter"/> when <see langword="null"/>.</param>
    /// <param name="services">Passed to actor factories; an empty provider when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">Two registrations share a type name or an actor class.</exception>
    public ActorRuntime(
        ActorRuntimeOptions options,
        IActorStateStore stateStore,
        IReminderStore reminderStore,
        IEnumerable<ActorRegistration> actors,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stateStore);
        ArgumentNullException.ThrowIfNull(reminderStore);
        ArgumentNullException.ThrowIfNull(actors);
        options.Validate();

        foreach (var registration in actors)
        {
            ArgumentNullException.ThrowIfNull(registration, nameof(actors));
            if (!_byName.TryAdd(registration.TypeName, registration))
            {
                throw new ArgumentException($"Two actor registrations use the type name '{registration.TypeName}'.", nameof(actors));
            }

            if (!_byType.TryAdd(registration.ActorType, registration))
            {
                throw new ArgumentException($"The actor class {registration.ActorType} is registered twice.", nameof(actors));
            }
        }

        _options = options;
        TimeProvider = timeProvider ?? TimeProvider.System;
        Logger = (ILogger?)loggerFactory?.CreateLogger<ActorRuntime>() ?? NullLogger<ActorRuntime>.Instance;
        Services = services ?? EmptyServiceProvider.Instance;
        Metrics = new ActorRuntimeMetrics(meterFactory);
        _stateStore = new InstrumentedActorStateStore(stateStore, Metrics, TimeProvider);
        Directory = new ActivationDirectory(TimeProvider);
        _reminders = new ReminderService(this, reminderStore, TimeProvider, options.MaxConcurrentReminders);
    }

    /// <summary>The number of activations, not counting those being deactivated.</summary>
    public int ActiveCount => Directory.LiveCount;

    /// <summary>The number of stored reminders of all actors (known once started or after the first reminder call).</summary>
    public int ReminderCount => _reminders.Count;

    /// <summary>The registered actor classes.</summary>
    public IReadOnlyCollection<ActorRegistration> Registrations => _byName.Values;

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The logger.</summary>
    internal ILogger Logger { get; }

    /// <summary>The instruments.</summary>
    internal ActorRuntimeMetrics Metrics { get; }

    /// <summary>The services passed to actor factories.</summary>
    internal IServiceProvider Services { get; }

    /// <summary>The activations.</summary>
    internal ActivationDirectory Directory { get; }

    /// <summary>Cancelled when the runtime is disposed; passed to lifecycle methods, timers and reminders.</summary>
    internal CancellationToken LifetimeToken => _lifetime.Token;

    /// <inheritdoc />
    public Task<TResult> InvokeAsync<TActor, TResult>(string key, Func<TActor, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken = default)
        where TActor : class
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(call);
        var registration = Resolve(typeof(TActor));
        var id = new ActorId(registration.TypeName, key);
        var caller = CallChain.Current;
        CallChain.ThrowIfReentrant(caller, id);
        if (_stopping && !CallChain.IsInTurn(caller))
        {
            throw new InvalidOperationException("The actor runtime is stopping: it takes no new calls.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        var item = new CallWorkItem<TActor, TResult>(call, cancellationToken)
        {
            Caller = caller,
            ExecutionContext = ExecutionContext.Capture(),
        };
        Dispatch(id, registration, item);
        return item.Task;
    }

    /// <summary>Whether an actor has an activation in memory.</summary>
    /// <param name="actorId">The actor.</param>
    /// <returns>Whether it is active.</returns>
    public bool IsActive(ActorId actorId) => Directory.TryGet(actorId, out var activation) && activation.HasInstance;

    /// <summary>Deactivates an actor (<see cref="DeactivationReason.Requested"/>) after the calls already queued for
    /// it; calls that come later go to a fresh activation. From within the actor's own turn, use
    /// <see cref="IActorContext.DeactivateOnIdle"/> instead.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="cancellationToken">Stops waiting (the deactivation goes on).</param>
    /// <returns>A task that completes when the activation is gone.</returns>
    /// <exception cref="InvalidOperationException">Called from a turn of the actor itself (it would deadlock).</exception>
    public Task DeactivateAsync(ActorId actorId, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CallChain.ThrowIfReentrant(CallChain.Current, actorId);
        if (!Directory.TryGet(actorId, out var activation))
        {
            return Task.CompletedTask;
        }

        var task = activation.TryScheduleDeactivation(DeactivationReason.Requested, onlyIfIdle: false) ?? Task.CompletedTask;
        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Deactivates every actor (<see cref="DeactivationReason.Requested"/>) after the calls already queued.</summary>
    /// <param name="cancellationToken">Stops waiting (the deactivations go on).</param>
    /// <returns>A task that completes when they are gone.</returns>
    /// <exception cref="InvalidOperationException">Called from within a turn (it would deadlock on that actor).</exception>
    public Task DeactivateAllAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (CallChain.IsInTurn(CallChain.Current))
        {
            throw new InvalidOperationException("DeactivateAllAsync cannot be called from within an actor turn: it would wait for that turn.");
        }

        return DeactivateAllCoreAsync(DeactivationReason.Requested, cancellationToken);
    }

    /// <summary>Loads the reminders (firing, once, those that came due while the runtime was down) and starts the
    /// reminder timer and the idle scan.</summary>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <returns>A task that completes when started.</returns>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_stateLock)
        {
            if (_stopping)
            {
                throw new InvalidOperationException("A stopped actor runtime cannot be started again; create a new one.");
            }

            if (_started)
            {
                return;
            }

            _started = true;
        }

        var reminders = await _reminders.StartAsync(cancellationToken).ConfigureAwait(false);
        using (ExecutionContext.SuppressFlow())
        {
            _idleTimer = TimeProvider.CreateTimer(
                static s => ((ActorRuntime)s!).OnIdleScan(), this, _options.IdleScanInterval, _options.IdleScanInterval);
        }

        RuntimeLog.Started(Logger, reminders);
    }

    /// <summary>Stops the reminders and the idle scan, refuses new calls from outside the actors, and deactivates
    /// every actor with <see cref="DeactivationReason.Shutdown"/> (after the calls already queued), so they persist
    /// their state.</summary>
    /// <param name="cancellationToken">Stops waiting for the deactivations.</param>
    /// <returns>A task that completes when every actor is deactivated.</returns>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Task stop;
        lock (_stateLock)
        {
            _stopping = true;
            stop = _stopTask ??= StopCoreAsync();
        }

        return stop.WaitAsync(cancellationToken);
    }

    /// <summary>Stops the runtime (see <see cref="StopAsync"/>) if needed and releases its resources.</summary>
    /// <returns>A task that completes when disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _disposed = true;
        await _reminders.DisposeAsync().ConfigureAwait(false);
        await _lifetime.CancelAsync().ConfigureAwait(false);
        _lifetime.Dispose();
        Metrics.Dispose();
    }

    /// <summary>Creates the context of a new activation.</summary>
    /// <param name="activation">The activation.</param>
    /// <returns>The context.</returns>
    internal ActorContext CreateContext(ActorActivation activation) => new(activation, this, _stateStore, _reminders);

    /// <summary>Makes room for one more activation: deactivates least-recently-used idle ones over the cap.</summary>
    internal void EnsureCapacity()
    {
        var over = Directory.LiveCount + 1 - _options.MaxActiveActors;
        if (over <= 0)
        {
            return;
        }

        var evicted = 0;
        foreach (var victim in Directory.LeastRecentlyUsedIdle(over + 8))
        {
            if (victim.TryScheduleDeactivation(DeactivationReason.Capacity, onlyIfIdle: true) is not null && ++evicted == over)
            {
                return;
            }
        }

        RuntimeLog.OverCapacity(Logger, Directory.LiveCount, _options.MaxActiveActors);
    }

    /// <summary>Delivers a reminder as a turn of its actor, activating it if needed.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="name">The reminder's name.</param>
    /// <param name="tick">The firing.</param>
    /// <returns>A task that completes when the actor handled it (faulted when that failed).</returns>
    internal Task DeliverReminderAsync(ActorId actorId, string name, ReminderTick tick)
    {
        if (!_byName.TryGetValue(actorId.Type, out var registration))
        {
            RuntimeLog.ReminderActorTypeUnknown(Logger, actorId, name);
            return Task.CompletedTask;
        }

        var item = new ReminderWorkItem(name, tick);
        Dispatch(actorId, registration, item);
        return item.Task;
    }

    private void Dispatch(ActorId id, ActorRegistration registration, ActorWorkItem item)
    {
        while (true)
        {
            var activation = Directory.GetOrAdd(
                id,
                static (actorId, state) => new ActorActivation(actorId, state.Registration, state.Runtime),
                (Registration: registration, Runtime: this));
            if (activation.TryEnqueue(item))
            {
                Directory.Touch(activation);
                return;
            }
        }
    }

    private ActorRegistration Resolve(Type actorType)
    {
        if (_byType.TryGetValue(actorType, out var registration) || _resolved.TryGetValue(actorType, out registration))
        {
            return registration;
        }

        var candidates = _byType.Values.Where(r => actorType.IsAssignableFrom(r.ActorType)).ToList();
        return candidates.Count switch
        {
            1 => _resolved.GetOrAdd(actorType, candidates[0]),
            0 => throw new InvalidOperationException(
                $"No actor class is registered for {actorType.Name}: register it with AddActor<{actorType.Name}>(typeName, factory)."),
            _ => throw new InvalidOperationException(
                $"{actorType.Name} matches several registered actor classes ({string.Join(", ", candidates)}): call one of them by its class."),
        };
    }

    private async Task StopCoreAsync()
    {
        _idleTimer?.Dispose();
        await _reminders.StopAsync(CancellationToken.None).ConfigureAwait(false);

        // Deactivations may call other actors (calls from turns are still taken), so go round until none is left.
        var total = 0;
        for (var round = 0; round < 5 && !Directory.IsEmpty; round++)
        {
            total += await DeactivateAllCoreAsync(DeactivationReason.Shutdown, CancellationToken.None).ConfigureAwait(false);
        }

        RuntimeLog.Stopped(Logger, total);
    }

    private async Task<int> DeactivateAllCoreAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var tasks = Directory.All()
            .Select(a => a.TryScheduleDeactivation(reason, onlyIfIdle: false))
            .OfType<Task>()
            .ToList();
        await Task.WhenAll(tasks).WaitAsync(cancellationToken).ConfigureAwait(false);
        return tasks.Count;
    }

    private void OnIdleScan()
    {
        try
        {
            foreach (var activation in Directory.Expired(_options.IdleTimeout))
            {
                activation.TryScheduleDeactivation(DeactivationReason.Idle, onlyIfIdle: true);
            }
        }
#pragma warning disable CA1031 // The scan runs on a timer: log and try again next time.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RuntimeLog.IdleScanFailed(Logger, ex);
        }
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
