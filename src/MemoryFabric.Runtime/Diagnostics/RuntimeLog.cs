using Microsoft.Extensions.Logging;

namespace MemoryFabric.Runtime.Diagnostics;

/// <summary>The runtime's log messages.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(1, LogLevel.Debug, "Activated {ActorId}")]
    public static partial void Activated(ILogger logger, ActorId actorId);

    [LoggerMessage(2, LogLevel.Warning, "Activating {ActorId} failed; the calls waiting for it fail and the next call retries")]
    public static partial void ActivationFailed(ILogger logger, ActorId actorId, Exception exception);

    [LoggerMessage(3, LogLevel.Debug, "Deactivated {ActorId} ({Reason})")]
    public static partial void Deactivated(ILogger logger, ActorId actorId, DeactivationReason reason);

    [LoggerMessage(4, LogLevel.Error, "Deactivating {ActorId} ({Reason}) failed; the activation is dropped")]
    public static partial void DeactivationFailed(ILogger logger, ActorId actorId, DeactivationReason reason, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "A timer of {ActorId} failed")]
    public static partial void TimerFailed(ILogger logger, ActorId actorId, Exception exception);

    [LoggerMessage(6, LogLevel.Error, "Reminder '{Reminder}' of {ActorId} failed; its schedule advances")]
    public static partial void ReminderFailed(ILogger logger, ActorId actorId, string reminder, Exception exception);

    [LoggerMessage(7, LogLevel.Error, "Persisting the schedule of reminder '{Reminder}' of {ActorId} failed")]
    public static partial void ReminderPersistFailed(ILogger logger, ActorId actorId, string reminder, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Reminder '{Reminder}' of {ActorId} names an actor type that is not registered; skipped")]
    public static partial void ReminderActorTypeUnknown(ILogger logger, ActorId actorId, string reminder);

    [LoggerMessage(9, LogLevel.Information, "Actor runtime started: {ReminderCount} reminders loaded")]
    public static partial void Started(ILogger logger, int reminderCount);

    [LoggerMessage(10, LogLevel.Information, "Actor runtime stopped: {Count} activations deactivated")]
    public static partial void Stopped(ILogger logger, int count);

    [LoggerMessage(12, LogLevel.Debug, "{Count} activations are over the cap of {Cap} and none is idle; going over it")]
    public static partial void OverCapacity(ILogger logger, int count, int cap);

    [LoggerMessage(13, LogLevel.Error, "The idle scan failed")]
    public static partial void IdleScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(14, LogLevel.Error, "Disposing an activation of {ActorId} failed")]
    public static partial void DisposeFailed(ILogger logger, ActorId actorId, Exception exception);
}
