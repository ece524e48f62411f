using System.Collections.Concurrent;

namespace MemoryFabric.Runtime.Tests.Support;

/// <summary>What the test actors saw: lifecycle events, reminder ticks, timer ticks. Shared across runtimes.</summary>
public sealed class ActorProbe
{
    private readonly ConcurrentDictionary<string, int> _activations = new(StringComparer.Ordinal);
    private int _failActivations;

    /// <summary>Every event, in order: <c>activate:key</c>, <c>call:key</c>, <c>deactivate:key:reason</c>, ….</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>The deactivations, in order.</summary>
    public ConcurrentQueue<(string Key, DeactivationReason Reason)> Deactivations { get; } = new();

    /// <summary>The reminder ticks, in order.</summary>
    public ConcurrentQueue<(string Key, string Name, ReminderTick Tick)> Reminders { get; } = new();

    /// <summary>The total number of successful activations.</summary>
    public int TotalActivations => _activations.Values.Sum();

    /// <summary>Makes the next <paramref name="count"/> activations of a <c>FlakyActor</c> throw.</summary>
    /// <param name="count">How many.</param>
    public void FailNextActivations(int count) => Volatile.Write(ref _failActivations, count);

    /// <summary>Whether this activation should fail (consumes one).</summary>
    /// <returns>Whether to throw.</returns>
    public bool ShouldFailActivation()
    {
        while (true)
        {
            var current = Volatile.Read(ref _failActivations);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _failActivations, current - 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>The number of successful activations of an actor.</summary>
    /// <param name="key">The actor key.</param>
    /// <returns>The count.</returns>
    public int Activations(string key) => _activations.GetValueOrDefault(key);

    /// <summary>Records an activation.</summary>
    /// <param name="key">The actor key.</param>
    public void Activated(string key)
    {
        _activations.AddOrUpdate(key, 1, (_, n) => n + 1);
        Events.Enqueue("activate:" + key);
    }

    /// <summary>Records a deactivation.</summary>
    /// <param name="key">The actor key.</param>
    /// <param name="reason">Why.</param>
    public void Deactivated(string key, DeactivationReason reason)
    {
        Deactivations.Enqueue((key, reason));
        Events.Enqueue("deactivate:" + key + ":" + reason);
    }

    /// <summary>The reasons an actor was deactivated for, in order.</summary>
    /// <param name="key">The actor key.</param>
    /// <returns>The reasons.</returns>
    public DeactivationReason[] DeactivationsOf(string key) => [.. Deactivations.Where(d => d.Key == key).Select(d => d.Reason)];
}
