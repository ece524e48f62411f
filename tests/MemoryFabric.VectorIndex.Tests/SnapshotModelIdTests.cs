using System.Buffers.Binary;
using MemoryFabric.VectorIndex.Snapshots;

namespace MemoryFabric.VectorIndex.Tests;

/// <summary>Format version 2 records which embedding model made the vectors: a snapshot never loads under another
/// model, version 1 snapshots (no model recorded) still load.</summary>
public sealed class SnapshotModelIdTests
{
    private static readonly (float[][] Data, float[][] Queries) Set = TestData.Clustered(200, 5, 64, 5, seed: 43);

    [Fact]
    public void The_model_is_recorded_and_another_model_is_refused()
    {
        using var temp = new TempDirectory();
        var path = Save(temp, "all-MiniLM-L6-v2-q4");

        using (var same = VectorShard.Load(path, TestData.Options(64) with { EmbeddingModelId = "all-MiniLM-L6-v2-q4" }))
        {
            Assert.Equal(Set.Data.Length, same.Count);
        }

        using (var unnamed = VectorShard.Load(path))
        {
            Assert.Equal("all-MiniLM-L6-v2-q4", unnamed.Options.EmbeddingModelId); // kept, so a later save records it again
        }

        var error = Assert.Throws<VectorSnapshotException>(() => VectorShard.Load(path, TestData.Options(64) with { EmbeddingModelId = "snowflake-arctic-embed-xs" }));
        Assert.Contains("'all-MiniLM-L6-v2-q4'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'snowflake-arctic-embed-xs'", error.Message, StringComparison.Ordinal);
        Assert.Contains("not comparable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_model_id_is_recorded_as_a_digest_and_still_compared()
    {
        using var temp = new TempDirectory();
        var longId = "openai:" + new string('m', 80);
        var path = Save(temp, longId);
        using (var loaded = VectorShard.Load(path, TestData.Options(64) with { EmbeddingModelId = longId }))
        {
            Assert.Equal(longId, loaded.Options.EmbeddingModelId);
        }

        Assert.Throws<VectorSnapshotException>(() => VectorShard.Load(path, TestData.Options(64) with { EmbeddingModelId = longId + "x" }));
        Assert.StartsWith("sha256:", SnapshotFormat.RecordedModelId(longId), StringComparison.Ordinal);
        Assert.Equal(SnapshotFormat.MaxModelIdBytes, SnapshotFormat.RecordedModelId(longId)!.Length);
    }

    [Fact]
    public void A_version_1_snapshot_without_a_model_still_loads()
    {
        using var temp = new TempDirectory();
        var path = Save(temp, modelId: null);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));

        // Rewrite it as version 1 wrote it: version 1, header bytes 76–127 zero, header checksum over header and table.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 1);
        bytes.AsSpan(76, SnapshotFormat.HeaderBytes - 76).Clear();
        var checksum = XxHash64.Hash(bytes.AsSpan(0, SnapshotFormat.TableEnd - 8), SnapshotFormat.ChecksumSeed);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(SnapshotFormat.TableEnd - 8), checksum);
        var v1 = Path.Combine(temp.Path, "v1.mfvs");
        File.WriteAllBytes(v1, bytes);

        using var loaded = VectorShard.Load(v1, TestData.Options(64) with { EmbeddingModelId = "snowflake-arctic-embed-xs" });
        Assert.Equal(Set.Data.Length, loaded.Count);
        Assert.Equal("snowflake-arctic-embed-xs", loaded.Options.EmbeddingModelId);
        Assert.Equal(TestData.Key(0), loaded.Search(Set.Data[0], 1)[0].Key);
    }

    private static string Save(TempDirectory temp, string? modelId)
    {
        var path = Path.Combine(temp.Path, Guid.NewGuid().ToString("N") + ".mfvs");
        using var shard = TestData.Build(Set.Data, TestData.Options(64) with { EmbeddingModelId = modelId });
        shard.Save(path);
        return path;
    }
}
