namespace MemoryFabric.Segmentation;

/// <summary>Options of the <see cref="EpisodeSegmenter"/>.</summary>
public sealed class EpisodeSegmenterOptions
{
    /// <summary>A pause longer than this between two turns starts a new episode (default 30 minutes).</summary>
    public TimeSpan MaxTimeGap { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>An episode has at least this many turns before a topic shift or a surprise may end it (default 3).</summary>
    public int MinTurns { get; set; } = 3;

    /// <summary>An episode is cut after this many turns whatever the topic (default 14).</summary>
    public int MaxTurns { get; set; } = 14;

    /// <summary>How many turns on each side of a gap are compared for a topic shift (default 3).</summary>
    public int Window { get; set; } = 3;

    /// <summary>A topic shift is declared where the term similarity of the windows around a gap falls below this
    /// (cosine of term frequencies; default 0.05).</summary>
    public double TopicShiftThreshold { get; set; } = 0.05;

    /// <summary>A turn whose content terms are at least this share new to the session, and that names a new
    /// entity, is a surprise that starts an episode (default 0.75).</summary>
    public double SurpriseThreshold { get; set; } = 0.75;
}
