namespace MemoryFabric.Benchmarks.Behaviour;

/// <summary>The settings of <c>memfab bench behaviour</c>.</summary>
public sealed class BehaviourProbeOptions
{
    /// <summary>Facts written one at a time and searched at once, per mode (turns, API notes, context).</summary>
    public int Facts { get; set; } = 200;

    /// <summary>The hits a fact must be among to count as found.</summary>
    public int TopK { get; set; } = 10;

    /// <summary>The token budget of the context check.</summary>
    public int ContextBudget { get; set; } = 200;

    /// <summary>Turns of the agent whose consolidation is searched through (0 skips that phase).</summary>
    public int ConsolidationTurns { get; set; } = 900;

    /// <summary>The LoCoMo file whose conversations are the consolidated agent's turns and whose questions its queries
    /// (the facts when it is missing or blank).</summary>
    public string? LocomoPath { get; set; } = BenchmarkDatasets.DefaultLocomoPath;

    /// <summary>The in-process server's embedder: auto, minilm, hashing or openai.</summary>
    public string Embedder { get; set; } = "auto";

    /// <summary>A running server to probe instead of an in-process one (with <see cref="ApiKey"/>).</summary>
    public Uri? Url { get; set; }

    /// <summary>The tenant key for <see cref="Url"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The in-process server's data directory (default: a fresh temporary one, deleted afterwards).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The seed of the facts' choice.</summary>
    public int Seed { get; set; } = 7;

    /// <summary>More in-process server settings under <c>MemoryFabric:</c>, each <c>Name=value</c>, after the probe's own.</summary>
    public IList<string> ServerSettings { get; } = [];

    /// <summary>The longest wait for the consolidation agent's dense index to catch up before it is consolidated.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
