namespace MemoryFabric.Runtime.Activation;

/// <summary>A timer tick: runs the timer's callback, on the activation that registered it only.</summary>
internal sealed class TimerWorkItem : ActorWorkItem
{
    /// <summary>Creates the item.</summary>
    /// <param name="timer">The timer.</param>
    public TimerWorkItem(ActorTimer timer) => Timer = timer;

    /// <inheritdoc />
    public override WorkItemKind Kind => WorkItemKind.Timer;

    /// <summary>The timer.</summary>
    public ActorTimer Timer { get; }

    /// <inheritdoc />
    public override Task ExecuteAsync(object actor, CancellationToken runtimeToken) => Timer.RunAsync(runtimeToken);

    /// <inheritdoc />
    public override void Fail(Exception exception) => Timer.TickSkipped();

    /// <inheritdoc />
    public override void Skip() => Timer.TickSkipped();
}
