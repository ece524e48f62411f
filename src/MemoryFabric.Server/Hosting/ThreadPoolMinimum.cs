namespace MemoryFabric.Server.Hosting;

/// <summary>Raises the thread pool's minimum of worker threads (<see cref="MemoryFabricServerOptions.MinWorkerThreads"/>).</summary>
internal static class ThreadPoolMinimum
{
    /// <summary>Worker threads per core when <see cref="MemoryFabricServerOptions.MinWorkerThreads"/> is not set.</summary>
    public const int DefaultPerCore = 16;

    /// <summary>The minimum the settings ask for.</summary>
    /// <param name="configured">The setting: <see langword="null"/> for the default, 0 for the runtime's own.</param>
    /// <param name="processorCount">The cores.</param>
    /// <returns>The minimum, or 0 to leave the runtime's.</returns>
    /// <exception cref="InvalidOperationException">The setting is negative.</exception>
    public static int Resolve(int? configured, int processorCount) => configured switch
    {
        null => DefaultPerCore * processorCount,
        < 0 => throw new InvalidOperationException($"MemoryFabric:MinWorkerThreads must be 0 or more (it is {configured})."),
        { } value => value,
    };

    /// <summary>Raises the process's minimum to <paramref name="workers"/> when it is lower; never lowers it.</summary>
    /// <param name="workers">The minimum of worker threads (0: nothing changes).</param>
    /// <returns>The minimum of worker threads now.</returns>
    public static int Raise(int workers)
    {
        ThreadPool.GetMinThreads(out var current, out var io);
        if (workers > current && ThreadPool.SetMinThreads(workers, io))
        {
            return workers;
        }

        return current;
    }
}
