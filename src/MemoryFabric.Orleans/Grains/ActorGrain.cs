using MemoryFabric.Actors;
using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansDeactivationReason = Orleans.DeactivationReason;
using OrleansRemindable = Orleans.IRemindable;
using FabricDeactivationReason = MemoryFabric.Runtime.DeactivationReason;
using FabricRemindable = MemoryFabric.Runtime.IRemindable;

namespace MemoryFabric.Orleans.Grains;

/// <summary>
/// A grain that hosts one of the fabric's actor classes unchanged: it gives the actor an <see cref="IActorContext"/>
/// over the grain (storage over <see cref="IGrainStorage"/>, reminders over Orleans reminders, timers over grain
/// timers, deactivation over <see cref="Grain.DeactivateOnIdle"/>) and runs its lifecycle with the grain's.
/// </summary>
/// <typeparam name="TActor">The actor class.</typeparam>
/// <remarks>
/// Orleans runs one request of a (non-reentrant) grain at a time, and a timer tick or a reminder as a turn too, as the
/// local runtime does. The actor classes await with <c>ConfigureAwait(false)</c>, so their continuations may leave
/// the activation's scheduler while the request is still in progress (which keeps turns exclusive); everything the
/// context does that needs the grain's context (reminders, timers, deactivation) is marshalled back onto it.
/// </remarks>
public abstract class ActorGrain<TActor> : Grain, OrleansRemindable
    where TActor : class
{
    private TActor? _actor;
    private TaskScheduler? _scheduler;
    private bool _skipDeactivationHook;

    /// <summary>Creates the grain.</summary>
    /// <param name="services">The silo's services.</param>
    protected ActorGrain(IServiceProvider services) => Services = services ?? throw new ArgumentNullException(nameof(services));

    /// <summary>The actor type name (<c>agent</c>, <c>tenants</c>, <c>guard</c>, …), used for the actor id.</summary>
    protected abstract string ActorType { get; }

    /// <summary>The silo's services.</summary>
    protected IServiceProvider Services { get; }

    /// <summary>The hosted actor (created on activation).</summary>
    protected TActor Actor => _actor ?? throw new InvalidOperationException("The actor is not activated.");

    /// <summary>The actor's id: <see cref="ActorType"/> and the grain's string key.</summary>
    protected ActorId ActorId => new(ActorType, this.GetPrimaryKeyString());

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _scheduler = TaskScheduler.Current;
        var options = Services.GetRequiredService<IOptions<MemoryFabricSiloOptions>>().Value;
        if (options.ActivateAfterHostStarted && Services.GetService<IHostApplicationLifetime>() is { } lifetime && !lifetime.ApplicationStarted.IsCancellationRequested)
        {
            // The silo joined the cluster before the host's later services (the embedder) started: wait for them.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            using (cancellationToken.Register(() => started.TrySetCanceled(cancellationToken)))
            {
                await started.Task;
            }
        }

        var storage = Services.GetKeyedService<IGrainStorage>(options.StorageName)
            ?? throw new InvalidOperationException($"No grain storage named '{options.StorageName}' is registered: add one (e.g. siloBuilder.AddMemoryGrainStorage(\"{options.StorageName}\") or AddMemoryFabricAzureBlobStorage) or set MemoryFabricSiloOptions.StorageName.");
        var logger = Services.GetService<ILoggerFactory>()?.CreateLogger(GetType());
        var reminders = new GrainReminderRegistry(this, ActorId, RunOnGrainAsync, Services.GetService<IReminderTable>(), TimeProvider);
        var context = new GrainActorContext<TActor>(
            this,
            ActorId,
            TimeProvider,
            new GrainActorStorage(storage, this.GetGrainId(), ActorId, reminders.UnregisterAllAsync, logger),
            reminders,
            Services.GetRequiredService<IFabricActorClient>());
        _actor = CreateActor(context);
        if (_actor is IActorLifecycle lifecycle)
        {
            await lifecycle.OnActivateAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(OrleansDeactivationReason reason, CancellationToken cancellationToken)
    {
        var actor = _actor;
        _actor = null;
        try
        {
            if (!_skipDeactivationHook && actor is IActorLifecycle lifecycle)
            {
                await lifecycle.OnDeactivateAsync(Map(reason.ReasonCode), cancellationToken);
            }
        }
        finally
        {
            (actor as IDisposable)?.Dispose();
        }
    }

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_actor is FabricRemindable remindable)
        {
            var now = TimeProvider.GetUtcNow();
            var due = status.CurrentTickTime == default ? now : new DateTimeOffset(DateTime.SpecifyKind(status.CurrentTickTime, DateTimeKind.Utc));
            await remindable.ReceiveReminderAsync(reminderName, new ReminderTick(due, now, status.Period), CancellationToken.None);
        }
        else if (await this.GetReminder(reminderName) is { } reminder)
        {
            // Not an actor that takes reminders (or not activated): don't keep waking it.
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Creates the actor with the context of this activation.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The actor.</returns>
    protected abstract TActor CreateActor(IActorContext context);

    /// <summary>The clock the actor gets (the silo's <see cref="TimeProvider"/> service, or the system clock).</summary>
    protected TimeProvider TimeProvider => Services.GetService<TimeProvider>() ?? TimeProvider.System;

    internal Task RunOnGrainAsync(Func<Task> operation)
    {
        var scheduler = _scheduler ?? throw new InvalidOperationException("The grain is not activated.");
        return TaskScheduler.Current == scheduler
            ? operation()
            : Task.Factory.StartNew(operation, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap();
    }

    internal Task<T> RunOnGrainAsync<T>(Func<Task<T>> operation)
    {
        var scheduler = _scheduler ?? throw new InvalidOperationException("The grain is not activated.");
        return TaskScheduler.Current == scheduler
            ? operation()
            : Task.Factory.StartNew(operation, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap();
    }

    internal void RequestDeactivation(bool persist)
    {
        _ = RunOnGrainAsync(() =>
        {
            if (!persist)
            {
                _skipDeactivationHook = true;
            }

            DeactivateOnIdle();
            return Task.CompletedTask;
        });
    }

    internal IDisposable RegisterActorTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var handle = new TimerHandle();
        _ = RunOnGrainAsync(() =>
        {
            if (!handle.IsDisposed)
            {
                handle.Timer = this.RegisterGrainTimer(
                    async ct =>
                    {
                        try
                        {
                            await callback(ct);
                        }
                        catch (OperationCanceledException) when (ct.IsCancellationRequested)
                        {
                            // The activation is going away (its timers are cancelled): not an error.
                        }
                    },
                    new GrainTimerCreationOptions { DueTime = dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime, Period = period, Interleave = false, KeepAlive = false });
            }

            return Task.CompletedTask;
        });
        return handle;
    }

    private static FabricDeactivationReason Map(DeactivationReasonCode code) => code switch
    {
        DeactivationReasonCode.ActivationIdle => FabricDeactivationReason.Idle,
        DeactivationReasonCode.HighMemoryPressure => FabricDeactivationReason.Capacity,
        DeactivationReasonCode.ShuttingDown => FabricDeactivationReason.Shutdown,
        DeactivationReasonCode.Migrating => FabricDeactivationReason.Shutdown,
        _ => FabricDeactivationReason.Requested,
    };

    // Disposing before the registration reached the grain's scheduler cancels it; after, disposes the grain timer.
    private sealed class TimerHandle : IDisposable
    {
        private IGrainTimer? _timer;
        private int _disposed;

        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        public IGrainTimer? Timer
        {
            set
            {
                _timer = value;
                if (IsDisposed)
                {
                    value?.Dispose();
                }
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _timer?.Dispose();
            }
        }
    }
}
