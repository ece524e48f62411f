namespace MemoryFabric.Decay;

/// <summary>Options of the <see cref="ForgettingCurve"/>.</summary>
public sealed class ForgettingCurveOptions
{
    /// <summary>The half-life of a note of importance 0 that was never recalled (default 30 days).</summary>
    public TimeSpan BaseHalfLife { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Consolidation archives active notes whose strength fell below this (default 0.05).</summary>
    public double ArchiveThreshold { get; set; } = 0.05;
}
