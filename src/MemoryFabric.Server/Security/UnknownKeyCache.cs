namespace MemoryFabric.Server.Security;

/// <summary>
/// Hashes of keys the tenant directory does not know, each for a short lifetime, at most <see cref="Capacity"/> of
/// them: an insert beyond it evicts the oldest entry (all entries live equally long, so the oldest expires first).
/// A repeated bad key therefore costs one directory look-up per lifetime, and a flood of distinct random keys keeps
/// memory bounded (the client-address limit, <see cref="ClientAddressLimiter"/>, bounds how fast it can arrive).
/// </summary>
internal sealed class UnknownKeyCache
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<(string Hash, DateTimeOffset Expires)>> _byHash = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Hash, DateTimeOffset Expires)> _oldestFirst = new();

    /// <summary>Creates the cache.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="capacity">The most hashes kept (0 keeps none).</param>
    /// <param name="lifetime">How long a hash is kept.</param>
    public UnknownKeyCache(TimeProvider time, int capacity, TimeSpan lifetime)
    {
        _time = time;
        Capacity = Math.Max(0, capacity);
        _lifetime = lifetime;
    }

    /// <summary>The most hashes kept.</summary>
    public int Capacity { get; }

    /// <summary>Hashes kept now (expired ones included until they are looked up or evicted).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byHash.Count;
            }
        }
    }

    /// <summary>Whether a hash is known to be unknown.</summary>
    /// <param name="hash">The hash.</param>
    /// <returns><see langword="true"/> while a look-up that found nothing is younger than the lifetime.</returns>
    public bool Contains(string hash)
    {
        lock (_lock)
        {
            if (!_byHash.TryGetValue(hash, out var node))
            {
                return false;
            }

            if (node.Value.Expires > _time.GetUtcNow())
            {
                return true;
            }

            Remove(node);
            return false;
        }
    }

    /// <summary>Remembers a hash the directory does not know.</summary>
    /// <param name="hash">The hash.</param>
    public void Add(string hash)
    {
        if (Capacity == 0 || _lifetime <= TimeSpan.Zero)
        {
            return;
        }

        lock (_lock)
        {
            if (_byHash.TryGetValue(hash, out var existing))
            {
                Remove(existing);
            }

            var now = _time.GetUtcNow();
            while (_oldestFirst.First is { } oldest && (_byHash.Count >= Capacity || oldest.Value.Expires <= now))
            {
                Remove(oldest);
            }

            _byHash[hash] = _oldestFirst.AddLast((hash, now + _lifetime));
        }
    }

    private void Remove(LinkedListNode<(string Hash, DateTimeOffset Expires)> node)
    {
        _oldestFirst.Remove(node);
        _byHash.Remove(node.Value.Hash);
    }
}
