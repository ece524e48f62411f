namespace MemoryFabric.Storage.Sqlite;

/// <summary>The configuration of a <see cref="SqliteActorStore"/>.</summary>
public sealed class SqliteActorStoreOptions
{
    /// <summary>The directory of the database file (created when missing). <c>./data</c> by default.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>The database file's name. <c>memoryfabric.db</c> by default.</summary>
    public string FileName { get; set; } = "memoryfabric.db";

    /// <summary>How long a connection waits for a lock held by another process before failing. Five seconds by
    /// default.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most read connections open at once. Twice the processor count (at least 4) by default.</summary>
    public int MaxReadConnections { get; set; } = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, FileName));

    /// <summary>The most writes waiting to be committed (each an append, snapshot, clear or reminder write); beyond,
    /// a write fails at once with <see cref="MemoryFabric.Orleans.Storage.StorageBusyException"/> (HTTP 503 with
    /// Retry-After) and stores nothing. Default: 16,384.</summary>
    public int MaxQueuedWrites { get; set; } = 16_384;

    /// <summary>Whether the store runs one read when it opens (a load of an actor that does not exist), so that the
    /// first activation finds a read connection open and the read path already run (10-20 ms less for it in a fresh
    /// process). True by default. The read connection it opens stays open, as every read connection does.</summary>
    public bool WarmUpReads { get; set; } = true;

    /// <summary>The most bytes the database file may grow to (SQLite's <c>max_page_count</c>), or
    /// <see langword="null"/> (the default) for no cap but the disk's. A write past it fails with
    /// <see cref="MemoryFabric.Orleans.Storage.StorageFullException"/> (HTTP 507), exactly as on a full disk; it can be
    /// changed at run time with <see cref="SqliteActorStoreSizeExtensions.SetMaxDatabaseSizeAsync"/>.</summary>
    public long? MaxDatabaseSize { get; set; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is blank or out of range.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(DataDirectory, nameof(DataDirectory));
        ArgumentException.ThrowIfNullOrWhiteSpace(FileName, nameof(FileName));
        ArgumentOutOfRangeException.ThrowIfLessThan(BusyTimeout, TimeSpan.Zero, nameof(BusyTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReadConnections, 1, nameof(MaxReadConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedWrites, 1, nameof(MaxQueuedWrites));
        if (MaxDatabaseSize is { } maxBytes)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes, nameof(MaxDatabaseSize));
        }
    }
}
