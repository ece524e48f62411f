using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Server.Hosting;

/// <summary>Whether the server takes traffic, and if not, why: each reason is a short slug that <c>/readyz</c>
/// reports (<see cref="Starting"/> until the host started, <see cref="Stopping"/> once it begins to stop,
/// <see cref="StorageFull"/> while the state store refuses writes for lack of space). Ready when there is none.
/// Reasons are independent: one clearing leaves the others.</summary>
internal sealed class ReadinessState
{
    /// <summary>The host has not started yet (storage opening, runtime starting).</summary>
    public const string Starting = "starting";

    /// <summary>The host is stopping.</summary>
    public const string Stopping = "stopping";

    /// <summary>The state store refuses writes for lack of space (<see cref="StorageFullMonitor"/>); cleared by the
    /// next write that succeeds.</summary>
    public const string StorageFull = "storage-full";

    private readonly Lock _gate = new();
    private readonly SortedSet<string> _reasons = new(StringComparer.Ordinal) { Starting };
    private readonly StorageFullMonitor? _storage;

    /// <summary>Creates the state: not ready (<see cref="Starting"/>) until <see cref="Attach"/> sees the host start.</summary>
    /// <param name="storage">The silo's storage monitor (<see cref="StorageFull"/> while it is full), if any.</param>
    public ReadinessState(StorageFullMonitor? storage = null)
    {
        _storage = storage;
    }

    /// <summary>Whether the server takes traffic: no reason not to.</summary>
    public bool IsReady => Reasons.Count == 0;

    /// <summary>Why the server is not ready (empty when it is), in ordinal order.</summary>
    public IReadOnlyList<string> Reasons
    {
        get
        {
            var full = _storage?.IsFull == true;
            lock (_gate)
            {
                if (_reasons.Count == 0 && !full)
                {
                    return [];
                }

                var reasons = new List<string>(_reasons);
                if (full && !_reasons.Contains(StorageFull))
                {
                    reasons.Add(StorageFull);
                    reasons.Sort(StringComparer.Ordinal);
                }

                return reasons;
            }
        }
    }

    /// <summary>Adds a reason not to be ready.</summary>
    /// <param name="reason">The reason's slug.</param>
    public void Set(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        lock (_gate)
        {
            _reasons.Add(reason);
        }
    }

    /// <summary>Removes a reason not to be ready (the others stay).</summary>
    /// <param name="reason">The reason's slug.</param>
    public void Clear(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        lock (_gate)
        {
            _reasons.Remove(reason);
        }
    }

    /// <summary>Clears <see cref="Starting"/> once the host started and sets <see cref="Stopping"/> when it begins
    /// to stop.</summary>
    /// <param name="lifetime">The host's lifetime.</param>
    public void Attach(IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        lifetime.ApplicationStarted.Register(() => Clear(Starting));
        lifetime.ApplicationStopping.Register(() => Set(Stopping));
    }

    /// <summary>What a reason means, for <c>/readyz</c>'s detail.</summary>
    /// <param name="reason">The reason's slug.</param>
    /// <returns>A sentence.</returns>
    public static string Describe(string reason) => reason switch
    {
        Starting => "The server is starting.",
        Stopping => "The server is stopping.",
        StorageFull => "Storage is full: writes are refused (507) until space is freed or the volume is grown; reads work, and writes resume by themselves.",
        _ => $"Not ready: {reason}.",
    };
}
