using MemoryFabric.Benchmarks.Index;
using MemoryFabric.VectorIndex;

namespace MemoryFabric.Evaluation.Tests.Benchmarks;

/// <summary>The files and arguments between <c>memfab bench index</c> and its worker process.</summary>
public sealed class IndexWorkerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"memfab-worker-{Guid.NewGuid():N}");

    public IndexWorkerTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Npy_files_read_back_what_was_written()
    {
        var floats = Enumerable.Range(0, 15).Select(i => i * 0.5f).ToArray();
        var ints = new[] { new[] { 1, 2, 3 }, new[] { 4, 5, 6 } };
        var floatPath = Path.Combine(_root, "f.npy");
        var intPath = Path.Combine(_root, "i.npy");

        NpyFile.WriteFloat32(floatPath, floats, 5, 3);
        NpyFile.WriteInt32(intPath, ints, 3);
        var (data, rows, columns) = NpyFile.ReadFloat32(floatPath);

        Assert.Equal((5, 3), (rows, columns));
        Assert.Equal(floats, data);
        Assert.Equal(ints, NpyFile.ReadInt32(intPath));
        Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloat32(intPath));
    }

    [Fact]
    public void Arguments_round_trip()
    {
        var options = new IndexBenchmarkOptions
        {
            M = 12, EfConstruction = 100, EfValues = [10, 20], K = 5, TargetRecall = 0.9, Repeat = 2, Seed = 7, Storage = VectorStorage.InMemory,
        };

        var (parsed, basePath, queriesPath, truthPath, work) = IndexWorker.ParseArguments(IndexWorker.Arguments(options, "b.npy", "q.npy", "gt.npy", "w"));

        Assert.Equal(("b.npy", "q.npy", "gt.npy", "w"), (basePath, queriesPath, truthPath, work));
        Assert.Equal((12, 100, 5, 0.9, 2, 7, VectorStorage.InMemory), (parsed.M, parsed.EfConstruction, parsed.K, parsed.TargetRecall, parsed.Repeat, parsed.Seed, parsed.Storage));
        Assert.Equal([10, 20], parsed.EfValues);
        Assert.Throws<ArgumentException>(() => IndexWorker.ParseArguments(["--m", "3"]));

        var sharded = new IndexBenchmarkOptions { EfValues = [10], Storage = VectorStorage.Quantized, Shards = 5, ShardBatch = 64 };
        var again = IndexWorker.ParseArguments(IndexWorker.Arguments(sharded, "b.npy", "q.npy", "gt.npy", "w", IndexEngines.MemoryFabricShards)).Options;
        Assert.Equal((VectorStorage.Quantized, 5, 64), (again.Storage, again.Shards, again.ShardBatch));
        Assert.Equal([IndexEngines.MemoryFabricShards], again.Engines);
    }

    [Fact]
    public void The_worker_measures_its_resident_set_and_its_result_survives_json()
    {
        var set = IndexDatasets.GenerateClustered(1500, 40, 32, 20, 3);
        var truth = ExactSearch.GroundTruth(set, 10, CancellationToken.None);
        var basePath = Path.Combine(_root, "base.npy");
        var queriesPath = Path.Combine(_root, "queries.npy");
        var truthPath = Path.Combine(_root, "gt.npy");
        NpyFile.WriteFloat32(basePath, set.Base, set.Count, set.Dimensions);
        NpyFile.WriteFloat32(queriesPath, set.Queries, set.QueryCount, set.Dimensions);
        NpyFile.WriteInt32(truthPath, truth, 10);

        var result = IndexWorker.Run(new IndexBenchmarkOptions { EfValues = [16, 64], Repeat = 1 }, basePath, queriesPath, truthPath, _root, CancellationToken.None);
        var parsed = IndexWorker.ParseResult(System.Text.Json.JsonSerializer.Serialize(result));

        Assert.True(result.RecallAt10 > 0.5);
        if (OperatingSystem.IsLinux())
        {
            Assert.NotNull(result.ResidentGrowthAfterBuild);
            Assert.Equal(result.ResidentGrowthAfterBuild.TotalBytes / 1500.0, result.BytesPerVector!.Value, 3);
            Assert.Equal(result.BytesPerVector!.Value, result.AnonBytesPerVector!.Value + result.FileBytesPerVector!.Value, 3);
        }

        Assert.Equal(result.BytesPerVector, parsed.BytesPerVector);
        Assert.Equal(result.ResidentGrowthAfterQueries, parsed.ResidentGrowthAfterQueries);
        Assert.IsAssignableFrom<IReadOnlyDictionary<string, double>>(parsed.Details!["resident_breakdown_bytes_per_vector"]);
        Assert.IsType<string>(parsed.Details["kernel"]);
    }
}
