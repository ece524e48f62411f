namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>The tenant index's settings (configuration section <c>MemoryFabric:TenantIndex</c> in the server).</summary>
public sealed class TenantIndexOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "MemoryFabric:TenantIndex";

    /// <summary>Whether agents mirror their vectors into the tenant's shards, which tenant-wide search
    /// (<c>POST /v1/search</c>) needs. Off by default: measured, with it on every vector is indexed a second time
    /// (the shards' HNSW graphs and journals), which on a loaded two-core machine still raises an agent's search p99
    /// several-fold (README, "Tenant index"); off, a tenant-wide search is refused with
    /// <see cref="TenantIndexDisabledException"/> (HTTP 501).</summary>
    public bool Enabled { get; set; }

    /// <summary>How many vector shards a new tenant index gets (default 4). A tenant keeps the count it was created
    /// with (its shard table).</summary>
    public int Shards { get; set; } = 4;

    /// <summary>How long after a change the agent ships it to the shards (default 200 ms): changes in that window go
    /// in one batch. A tenant-wide search does not wait for it (it flushes the agents with pending changes).</summary>
    public TimeSpan FlushDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long an agent stays on its tenant index's pending list after a flush left it clean (default 5 s):
    /// an agent written to steadily is marked once, not at every write after a flush; a tenant-wide search flushes the
    /// listed agents, which costs a clean one a grain call.</summary>
    public TimeSpan UnmarkAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first retry delay after a failed shipment (default 1 s), doubled each time up to
    /// <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest retry delay (default 30 s).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where the shards keep the float32 vectors they re-rank with, if anywhere (default
    /// <see cref="MemoryFabric.VectorIndex.VectorStorage.Quantized"/>: the int8 codes are the only copy in memory,
    /// about 600 bytes per 384-dimension vector instead of about 2,100; scores within about 1e-3 of float32, recall
    /// measured by <c>memfab bench shards</c>). The journal keeps the float32 vectors either way.</summary>
    public MemoryFabric.VectorIndex.VectorStorage VectorStorage { get; set; } = MemoryFabric.VectorIndex.VectorStorage.Quantized;

    /// <summary>HNSW's M for new shards (default 16). A shard keeps the structure it was built with.</summary>
    public int ShardM { get; set; } = 16;

    /// <summary>HNSW's efConstruction for new shards (default 100): graph quality against ingest speed. Measured with
    /// <c>memfab bench shards --n 300000</c> on two cores: 100 ingests 7,275 vectors/s and reaches recall@10 0.964 at
    /// efSearch 20; 200 ingests 4,090/s for 0.960 at efSearch 16. A shard keeps the structure it was built with.</summary>
    public int ShardEfConstruction { get; set; } = 100;

    /// <summary>A shard holding this many items or more is split in two (default 200,000; 0: never). With the default 4
    /// shards a tenant reaches 8 shards of about 125,000 vectors at a million, the layout <c>memfab bench shards</c>
    /// measured (search p99 1.3 ms at recall@10 0.95 on two cores); one 1,000,000-vector graph needs efSearch 256 for
    /// the same recall. What a split costs: README, "What a split costs" (`memfab bench split`).</summary>
    public int ShardSplitThreshold { get; set; } = 200_000;

    /// <summary>How often at most a shard past <see cref="ShardSplitThreshold"/> tells its tenant index (default 10 s):
    /// the index starts one split at a time and ignores reports while one runs.</summary>
    public TimeSpan SplitCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many items a split copies to the halves per step (default 256). The source shard serves nothing
    /// else while a step runs (its changes must stay ordered with the copy), so this bounds the wait a search or write
    /// on it sees during a split.</summary>
    public int SplitCopyBatch { get; set; } = 256;

    /// <summary>An agent holding this many turn vectors or more is a <em>large agent</em> (default 20,000; 0: never):
    /// after each flush of its vector outbox it drops from its activation the turn vectors the shards acknowledged, and
    /// its searches take their dense turn candidates from the shards (filtered to the agent) merged with the turn
    /// vectors it still holds (<see cref="AgentMemory.OffloadTurnVectors"/>). Needs <see cref="Enabled"/>. The default is
    /// the engine's <see cref="Retrieval.RetrievalOptions.ApproximateSearchThreshold"/>: below it an agent searches its
    /// vectors exactly in its activation (fast, nothing to build); above it the activation would build an HNSW graph of
    /// its own on its first search after every activation. Measured with <c>memfab bench large-agent</c> (README, "Large
    /// agents"): at 100,000 turns an agent keeping its vectors took 463 MB of heap, 42.9 s for its first search after
    /// activation and reached dense recall@10 0.65; offloaded, 56 MB, 0.44 s and 0.97, for about 3 ms more per
    /// search.</summary>
    public int LargeAgentTurnVectors { get; set; } = 20_000;

    /// <summary>The shards' HNSW candidate-list size when a large agent searches its turns through them (default
    /// 160; at least the number of candidates asked for is used). The agent's turns are a share of every shard's items
    /// (a filtered search), so it needs a wider list than a tenant-wide search for the same recall. Measured with
    /// <c>memfab bench large-agent --ef-search</c>: README, "Large agents".</summary>
    public int LargeAgentEfSearch { get; set; } = 160;

    /// <summary>The most note hits <see cref="ConsensusCandidates"/> asks for per subject.</summary>
    public const int MaxConsensusCandidates = 1000;

    /// <summary>Whether retrieval-time consensus asks an agent's relation-group peers through the tenant's shards
    /// (<see cref="Guard.ShardConsensusPeers"/>: the weak claim's subjects embedded, the peers' notes searched, the
    /// owners of the hits saying which of their trusted claims those notes back) instead of reading the trusted claims
    /// every member publishes to the tenant's guard grain (the default). Needs <see cref="Enabled"/>; off, or with the
    /// index off, consensus reads the guard grain. Members still publish their claims either way. Measured with
    /// <c>memfab bench consensus</c> (50 agents, 2,000 notes, two cores): a lookup through the shards takes p50 5.6-7.7 ms
    /// (p99 12-15 ms), asking about 43 agents, against 0.2-0.3 ms (p99 0.4 ms) through the guard grain, so it stays
    /// off.</summary>
    public bool ConsensusThroughShards { get; set; }

    /// <summary>How many of the peers' notes consensus through the shards takes per subject (default 400, at most
    /// <see cref="MaxConsensusCandidates"/>): a peer's trusted claim is seen only when one of the notes backing it is
    /// among them, so this must cover the notes a group holds about one subject; each agent owning a hit is one call.
    /// Measured (<c>memfab bench consensus</c>, 50 agents): 100 missed claims about the most popular person in 12 of 200
    /// lookups (one verdict of 200 differed); 400 returned the guard grain's claims in all 200, at about the same
    /// latency.</summary>
    public int ConsensusCandidates { get; set; } = 400;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Shards, 1, nameof(Shards));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Shards, 4096, nameof(Shards));
        ArgumentOutOfRangeException.ThrowIfLessThan(FlushDelay, TimeSpan.Zero, nameof(FlushDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(UnmarkAfter, TimeSpan.Zero, nameof(UnmarkAfter));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, RetryDelay, nameof(MaxRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShardM, 2, nameof(ShardM));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ShardM, MemoryFabric.VectorIndex.VectorShardOptions.MaxM, nameof(ShardM));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShardEfConstruction, 1, nameof(ShardEfConstruction));
        ArgumentOutOfRangeException.ThrowIfNegative(ShardSplitThreshold, nameof(ShardSplitThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(SplitCheckInterval, TimeSpan.Zero, nameof(SplitCheckInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(SplitCopyBatch, 1, nameof(SplitCopyBatch));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SplitCopyBatch, 10_000, nameof(SplitCopyBatch));
        ArgumentOutOfRangeException.ThrowIfNegative(LargeAgentTurnVectors, nameof(LargeAgentTurnVectors));
        ArgumentOutOfRangeException.ThrowIfLessThan(LargeAgentEfSearch, 1, nameof(LargeAgentEfSearch));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(LargeAgentEfSearch, 10_000, nameof(LargeAgentEfSearch));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConsensusCandidates, 1, nameof(ConsensusCandidates));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ConsensusCandidates, MaxConsensusCandidates, nameof(ConsensusCandidates));
        if (!Enum.IsDefined(VectorStorage))
        {
            throw new ArgumentOutOfRangeException(nameof(VectorStorage), VectorStorage, "Unknown vector storage.");
        }
    }
}
