namespace MemoryFabric.Orleans.Hosting;

/// <summary>Options of the fabric's grains in a silo (<c>siloBuilder.AddMemoryFabric(o => …)</c>).</summary>
public sealed class MemoryFabricSiloOptions
{
    /// <summary>The name of the grain storage (an <c>IGrainStorage</c>) that holds the small grains' state: the
    /// tenant directory and the tenant guards. The agents' snapshots and journals go to the silo's
    /// <see cref="Storage.IActorStateStore"/> instead.</summary>
    public const string SmallStateStorageName = "MemoryFabricState";

    /// <summary>Keeps all state in memory: an <see cref="Storage.InMemoryActorStateStore"/>, in-memory grain storage
    /// and the in-memory reminder service. For development and tests only: everything is lost when the silo stops,
    /// and each silo keeps its own store, so with several silos an agent that reactivates on another silo starts
    /// empty (tests that need shared state register one store for all silos with <c>UseMemoryFabricStore</c>).
    /// Default: <see langword="false"/>: the host registers durable providers (SQLite for the embedded server, Azure
    /// Storage for a cluster).</summary>
    public bool UseInMemoryProviders { get; set; }

    /// <summary>How long an idle fabric grain stays activated (Orleans' per-class collection age,
    /// <c>GrainCollectionOptions.ClassSpecificCollectionAge</c>). Default: 15 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The shortest reminder period the silo accepts (Orleans' <c>ReminderOptions.MinimumReminderPeriod</c>,
    /// one minute by default); <see langword="null"/> leaves Orleans' setting alone. The agent grain's consolidation
    /// reminders are at least one minute apart with the server's defaults.</summary>
    public TimeSpan? MinimumReminderPeriod { get; set; }

    /// <summary>Whether activations of the fabric's grains wait until the host has started (all its hosted services,
    /// e.g. the server's embedder, which start after the silo). The server sets it. Default:
    /// <see langword="false"/>.</summary>
    public bool ActivateAfterHostStarted { get; set; }
}
