using System.Collections.Concurrent;

namespace MemoryFabric.Runtime.Activation;

/// <summary>
/// The activations by actor id, and the live ones (counted against the cap) in least-recently-used order. Lock order:
/// an activation's lock may be held when the LRU lock is taken, never the reverse.
/// </summary>
internal sealed class ActivationDirectory
{
    private readonly ConcurrentDictionary<ActorId, ActorActivation> _byId = new();
    private readonly Lock _lruLock = new();
    private readonly LinkedList<ActorActivation> _lru = new();
    private readonly TimeProvider _time;

    /// <summary>Creates an empty directory.</summary>
    /// <param name="time">The clock of activity times.</param>
    public ActivationDirectory(TimeProvider time) => _time = time;

    /// <summary>The live activations that are not being deactivated.</summary>
    public int LiveCount
    {
        get
        {
            lock (_lruLock)
            {
                return _lru.Count;
            }
        }
    }

    /// <summary>Whether the directory holds no activation at all.</summary>
    public bool IsEmpty => _byId.IsEmpty;

    /// <summary>The activation of an actor, created (without an instance) when there is none.</summary>
    /// <param name="id">The actor.</param>
    /// <param name="create">Creates a new activation.</param>
    /// <param name="state">The state of <paramref name="create"/>.</param>
    /// <typeparam name="TState">The type of the state.</typeparam>
    /// <returns>The activation.</returns>
    public ActorActivation GetOrAdd<TState>(ActorId id, Func<ActorId, TState, ActorActivation> create, TState state) =>
        _byId.GetOrAdd(id, create, state);

    /// <summary>Finds the activation of an actor.</summary>
    /// <param name="id">The actor.</param>
    /// <param name="activation">The activation.</param>
    /// <returns>Whether there is one.</returns>
    public bool TryGet(ActorId id, out ActorActivation activation) => _byId.TryGetValue(id, out activation!);

    /// <summary>Removes an activation that has nothing left to do (called under its lock).</summary>
    /// <param name="activation">The activation.</param>
    public void Remove(ActorActivation activation) =>
        _byId.TryRemove(new KeyValuePair<ActorId, ActorActivation>(activation.Id, activation));

    /// <summary>Every activation.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<ActorActivation> All() => [.. _byId.Values];

    /// <summary>Counts a new live activation, as the most recently used (called under its lock).</summary>
    /// <param name="activation">The activation.</param>
    public void AddLive(ActorActivation activation)
    {
        lock (_lruLock)
        {
            activation.LastActivity = _time.GetTimestamp();
            activation.LruNode ??= _lru.AddLast(activation);
        }
    }

    /// <summary>Stops counting an activation (called under its lock).</summary>
    /// <param name="activation">The activation.</param>
    public void RemoveLive(ActorActivation activation)
    {
        lock (_lruLock)
        {
            if (activation.LruNode is { } node)
            {
                _lru.Remove(node);
                activation.LruNode = null;
            }
        }
    }

    /// <summary>Records activity: the activation becomes the most recently used.</summary>
    /// <param name="activation">The activation.</param>
    public void Touch(ActorActivation activation)
    {
        lock (_lruLock)
        {
            activation.LastActivity = _time.GetTimestamp();
            if (activation.LruNode is { } node && node != _lru.Last)
            {
                _lru.Remove(node);
                _lru.AddLast(node);
            }
        }
    }

    /// <summary>The least recently used live activations that look idle (no turn running or queued).</summary>
    /// <param name="max">The most to return.</param>
    /// <returns>The candidates, least recently used first.</returns>
    public List<ActorActivation> LeastRecentlyUsedIdle(int max)
    {
        var candidates = new List<ActorActivation>(Math.Min(max, 64));
        lock (_lruLock)
        {
            for (var node = _lru.First; node is not null && candidates.Count < max; node = node.Next)
            {
                if (!node.Value.IsBusy)
                {
                    candidates.Add(node.Value);
                }
            }
        }

        return candidates;
    }

    /// <summary>The live activations without activity for <paramref name="idleTimeout"/> that look idle.</summary>
    /// <param name="idleTimeout">The idle timeout.</param>
    /// <returns>The candidates.</returns>
    public List<ActorActivation> Expired(TimeSpan idleTimeout)
    {
        var expired = new List<ActorActivation>();
        lock (_lruLock)
        {
            for (var node = _lru.First; node is not null; node = node.Next)
            {
                if (_time.GetElapsedTime(node.Value.LastActivity) < idleTimeout)
                {
                    break;
                }

                if (!node.Value.IsBusy)
                {
                    expired.Add(node.Value);
                }
            }
        }

        return expired;
    }
}
