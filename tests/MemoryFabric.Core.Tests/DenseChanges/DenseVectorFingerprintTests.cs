using MemoryFabric.Core.Tests.Support;
using MemoryFabric.DenseChanges;
using MemoryFabric.Embeddings;

namespace MemoryFabric.Core.Tests.DenseChanges;

/// <summary>The fingerprint a mirror keeps of each dense vector survives the snapshot's int8 round trip (a restored
/// memory's vectors are the decoded codes), and still tells different vectors and times apart.</summary>
public sealed class DenseVectorFingerprintTests
{
    [Fact]
    public async Task Every_vector_of_a_restored_memory_has_the_fingerprint_it_had_before_the_snapshot()
    {
        var clock = new FakeTimeProvider(Talk.May8.AddDays(100));
        var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, clock, new HashingEmbeddingGenerator(384));
        await memory.IngestAsync(Talk.Generated(sessions: 4, turnsPerSession: 25));
        await memory.EmbedPendingAsync(10_000);
        await memory.ConsolidateAsync();
        await memory.EmbedPendingAsync(10_000);
        var restored = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, clock, new HashingEmbeddingGenerator(384));
        restored.RestoreSnapshot(memory.CreateSnapshot());

        var before = memory.EnumerateDenseItems().ToDictionary(i => (i.Kind, i.Id), i => DenseVectorFingerprint.Compute(i.Vector, i.Timestamp));
        var after = restored.EnumerateDenseItems().ToDictionary(i => (i.Kind, i.Id), i => DenseVectorFingerprint.Compute(i.Vector, i.Timestamp));

        Assert.True(before.Count > 100, $"{before.Count} items");
        Assert.Equal(before.OrderBy(p => p.Key), after.OrderBy(p => p.Key));
        Assert.NotEqual(
            memory.EnumerateDenseItems().First().Vector,
            restored.EnumerateDenseItems().First().Vector); // the restored vectors are not the same floats
    }

    [Fact]
    public void The_time_and_a_non_finite_component_are_part_of_the_fingerprint()
    {
        float[] vector = [0.6f, 0.8f, 0f];
        var at = Talk.May8;

        Assert.Equal(DenseVectorFingerprint.Compute(vector, at), DenseVectorFingerprint.Compute([0.6f, 0.8f, 0f], at));
        Assert.NotEqual(DenseVectorFingerprint.Compute(vector, at), DenseVectorFingerprint.Compute(vector, at.AddTicks(1)));
        Assert.NotEqual(DenseVectorFingerprint.Compute(vector, at), DenseVectorFingerprint.Compute([0.8f, 0.6f, 0f], at));
        Assert.NotEqual(DenseVectorFingerprint.Compute([float.NaN, 0.8f, 0f], at), DenseVectorFingerprint.Compute([float.PositiveInfinity, 0.8f, 0f], at));
    }
}
