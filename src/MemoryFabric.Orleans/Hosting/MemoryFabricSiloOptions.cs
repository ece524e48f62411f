namespace MemoryFabric.Orleans.Hosting;

/// <summary>Options of the fabric's grains in a silo (<c>siloBuilder.AddMemoryFabric(o => …)</c>).</summary>
public sealed class MemoryFabricSiloOptions
{
    /// <summary>The default <see cref="StorageName"/>.</summary>
    public const string DefaultStorageName = "MemoryFabric";

    /// <summary>The name of the grain storage provider (an <c>IGrainStorage</c> keyed service) that holds the
    /// actors' snapshots and journals. Default: <see cref="DefaultStorageName"/>.</summary>
    public string StorageName { get; set; } = DefaultStorageName;

    /// <summary>Registers in-memory grain storage under <see cref="StorageName"/> and the in-memory reminder service:
    /// for development and tests only (everything is lost when the silos stop). Default: <see langword="false"/>:
    /// register a durable provider, e.g. <c>AddMemoryFabricAzureBlobStorage</c>, and a reminder service.</summary>
    public bool UseInMemoryProviders { get; set; }

    /// <summary>How long an idle fabric grain stays activated (Orleans' per-class collection age). Default: 15
    /// minutes, as the local runtime's idle timeout.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The shortest reminder period the silo accepts (Orleans' <c>ReminderOptions.MinimumReminderPeriod</c>,
    /// one minute by default); <see langword="null"/> leaves Orleans' setting alone. The agent actor's consolidation
    /// reminders are at least one minute apart with the server's defaults.</summary>
    public TimeSpan? MinimumReminderPeriod { get; set; }

    /// <summary>Whether activations of the fabric's grains wait until the host has started (all its hosted services,
    /// e.g. the server's embedder, which start after a silo registered first). The server's cluster host sets it.
    /// Default: <see langword="false"/>.</summary>
    public bool ActivateAfterHostStarted { get; set; }
}
