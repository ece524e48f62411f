namespace MemoryFabric.VectorIndex;

/// <summary>The configuration of a <see cref="VectorShard"/>.</summary>
public sealed record VectorShardOptions
{
    /// <summary>The largest supported <see cref="M"/>.</summary>
    public const int MaxM = 128;

    /// <summary>The largest supported number of dimensions.</summary>
    public const int MaxDimensions = 16384;

    /// <summary>The number of dimensions of every vector.</summary>
    public required int Dimensions { get; init; }

    /// <summary>The similarity; <see cref="VectorMetric.Cosine"/> by default.</summary>
    public VectorMetric Metric { get; init; } = VectorMetric.Cosine;

    /// <summary>HNSW's M: the number of links a node gets on the upper layers (and twice that on layer 0). 16 by
    /// default.</summary>
    public int M { get; init; } = 16;

    /// <summary>The candidate-list size while inserting (graph quality against build time). 200 by default.</summary>
    public int EfConstruction { get; init; } = 200;

    /// <summary>The default candidate-list size while searching (recall against speed); a search uses at least its
    /// k. 64 by default.</summary>
    public int EfSearch { get; init; } = 64;

    /// <summary>Where the float32 vectors used for exact re-ranking live; <see cref="VectorStorage.MappedFile"/> by
    /// default.</summary>
    public VectorStorage VectorStorage { get; init; } = VectorStorage.MappedFile;

    /// <summary>The directory of the memory-mapped side file of float32 vectors (created on first use, deleted when
    /// the shard is disposed); the system's temporary directory when <see langword="null"/>.</summary>
    public string? StorageDirectory { get; init; }

    /// <summary>A filtered search scans the matching items exactly instead of walking the graph when the filter is
    /// estimated to match at most this share of the live items. 0.05 by default.</summary>
    public double FilterExactScanRatio { get; init; } = 0.05;

    /// <summary>A filtered search scans the matching items exactly when the filter is estimated to match at most this
    /// many items, whatever their share. 2,000 by default.</summary>
    public int FilterExactScanMaxMatches { get; init; } = 2000;

    /// <summary><see cref="VectorShard.NeedsCompaction"/> turns true when tombstones (deleted or replaced items)
    /// exceed this share of all stored items. 0.2 by default.</summary>
    public double CompactionThreshold { get; init; } = 0.2;

    /// <summary>The seed of the level generator (builds are deterministic for a given seed and insertion order).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The embedding model that made the vectors (e.g. <c>all-MiniLM-L6-v2-q4</c>), recorded in snapshots;
    /// <see langword="null"/> when unknown. <see cref="VectorShard.Load(string, VectorShardOptions?, CancellationToken)"/> refuses a snapshot whose recorded model differs
    /// from the one the options name, so two models' vector spaces are never mixed in one index. Ids of more than
    /// 46 UTF-8 bytes are recorded as a digest (<c>sha256:</c> + 39 hex digits).</summary>
    public string? EmbeddingModelId { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Dimensions, 1, nameof(Dimensions));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Dimensions, MaxDimensions, nameof(Dimensions));
        ArgumentOutOfRangeException.ThrowIfLessThan(M, 2, nameof(M));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(M, MaxM, nameof(M));
        ArgumentOutOfRangeException.ThrowIfLessThan(EfConstruction, 1, nameof(EfConstruction));
        ArgumentOutOfRangeException.ThrowIfLessThan(EfSearch, 1, nameof(EfSearch));
        if (!Enum.IsDefined(Metric))
        {
            throw new ArgumentOutOfRangeException(nameof(Metric), Metric, "Unknown metric.");
        }

        if (!Enum.IsDefined(VectorStorage))
        {
            throw new ArgumentOutOfRangeException(nameof(VectorStorage), VectorStorage, "Unknown vector storage.");
        }

        if (double.IsNaN(FilterExactScanRatio) || FilterExactScanRatio < 0 || FilterExactScanRatio > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(FilterExactScanRatio), FilterExactScanRatio, "Must be between 0 and 1.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(FilterExactScanMaxMatches, nameof(FilterExactScanMaxMatches));
        if (double.IsNaN(CompactionThreshold) || CompactionThreshold <= 0 || CompactionThreshold > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CompactionThreshold), CompactionThreshold, "Must be in (0, 1].");
        }
    }
}
