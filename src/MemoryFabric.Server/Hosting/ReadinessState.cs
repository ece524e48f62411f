namespace MemoryFabric.Server.Hosting;

/// <summary>Whether the server takes traffic: set once the host started (storage open, runtime running), cleared when
/// it begins to stop.</summary>
internal sealed class ReadinessState
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void Attach(IHostApplicationLifetime lifetime)
    {
        lifetime.ApplicationStarted.Register(() => _ready = true);
        lifetime.ApplicationStopping.Register(() => _ready = false);
    }
}
