using System.Buffers.Binary;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Embeddings;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Persistence;

/// <summary>The snapshot's header, checksum and embedder checks.</summary>
public sealed class SnapshotFormatTests
{
    private static async Task<byte[]> SnapshotAsync(AgentMemory? memory = null)
    {
        memory ??= new AgentMemory(timeProvider: Scenario.Clock());
        await memory.IngestAsync(Talk.SmallSession());
        await memory.ConsolidateAsync();
        return memory.CreateSnapshot();
    }

    // What is queued stays queued: no search embeds a pending item on demand (Retrieval/ReadAfterWriteTests.cs).
    private static readonly AgentMemoryOptions QueueOnly = new() { Retrieval = new RetrievalOptions { PendingDenseScoringLimit = 0 } };

    [Fact]
    public async Task The_header_names_the_format()
    {
        var bytes = await SnapshotAsync();

        Assert.Equal("MFAM"u8.ToArray(), bytes[..4]);
        Assert.Equal(AgentMemory.SnapshotFormatVersion, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(bytes.Length - 24, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)));
    }

    [Fact]
    public async Task Wrong_magic_unknown_version_truncation_and_corruption_say_what_is_wrong()
    {
        var bytes = await SnapshotAsync();

        Assert.Contains("magic", Restore(Patch(bytes, 0, (byte)'X')).Message, StringComparison.Ordinal);
        var future = Restore(Patch(bytes, 4, (byte)(AgentMemory.SnapshotFormatVersion + 1)));
        Assert.Contains($"format version {AgentMemory.SnapshotFormatVersion + 1}, written by a newer MemoryFabric", future.Message, StringComparison.Ordinal);
        var newer = Assert.IsType<UnsupportedFormatException>(future.InnerException);
        Assert.Equal((AgentMemory.SnapshotFormatVersion + 1, (int)AgentMemory.SnapshotFormatVersion), (newer.Version, newer.NewestSupported));
        Assert.Null(UnsupportedFormatException.Find(Restore(Patch(bytes, 4, 0))));
        Assert.Contains("damaged", Restore(Patch(bytes, 4, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("header checksum", Restore(Patch(bytes, 9, 0x7F)).Message, StringComparison.Ordinal);
        Assert.Contains("truncated", Restore(bytes[..(bytes.Length - 10)]).Message, StringComparison.Ordinal);
        Assert.Contains("truncated", Restore(bytes[..10]).Message, StringComparison.Ordinal);
        Assert.Contains("trailing", Restore([.. bytes, 1, 2]).Message, StringComparison.Ordinal);
        Assert.Contains("payload checksum", Restore(Patch(bytes, bytes.Length / 2, 0x55)).Message, StringComparison.Ordinal);
        Assert.Contains("checksum", Restore(Patch(bytes, bytes.Length - 1, 0x01)).Message, StringComparison.Ordinal);
        Restore([]);
    }

    [Fact]
    public async Task Any_flipped_byte_is_rejected_and_leaves_the_memory_empty()
    {
        var bytes = await SnapshotAsync();
        var memory = new AgentMemory();
        for (var i = 0; i < bytes.Length; i += Math.Max(1, bytes.Length / 400))
        {
            Assert.Throws<InvalidDataException>(() => memory.RestoreSnapshot(Patch(bytes, i, (byte)(bytes[i] ^ 0x10))));
        }

        Assert.Equal(new AgentMemoryStatistics(0, 0, 0, 0, 0, 0, null), memory.GetStatistics());
        memory.RestoreSnapshot(bytes); // still fresh
        Assert.Equal(15, memory.GetStatistics().Turns);
    }

    [Fact]
    public async Task A_malformed_payload_with_a_valid_checksum_names_the_section()
    {
        var bytes = await SnapshotAsync();
        var payload = bytes[24..];
        payload[0] = 2; // the first section tag: meta expected
        var forged = Forge(payload);

        var error = Restore(forged);

        Assert.Contains("meta section", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_dimension_drops_the_vectors_and_queues_everything()
    {
        var original = new AgentMemory(timeProvider: Scenario.Clock());
        var bytes = await SnapshotAsync(original);
        var stats = original.GetStatistics();
        var embedder = new CountingEmbedder(dimensions: 128);
        var restored = new AgentMemory(QueueOnly, Scenario.Clock(), embedder);

        restored.RestoreSnapshot(bytes);

        Assert.Equal(0, embedder.Calls);
        Assert.Equal(stats.Turns + stats.Episodes + stats.ActiveNotes, restored.PendingEmbeddingCount);
        var hits = await restored.SearchAsync(new SearchRequest { Query = "beagle named Oscar" });
        Assert.Contains(hits, h => h.Item.Id == "D1:2" && h.LexicalRank is not null);
        Assert.All(hits, h => Assert.Null(h.DenseRank));

        Assert.Equal(restored.PendingEmbeddingCount, await restored.EmbedPendingAsync(1000));
        Assert.Contains(await restored.SearchAsync(new SearchRequest { Query = "beagle named Oscar" }), h => h.Item.Id == "D1:2" && h.DenseRank is not null);
        Assert.Equal(await MemoryState.RecordsAsync(original), await MemoryState.RecordsAsync(restored));
    }

    [Fact]
    public async Task Another_model_of_the_same_dimension_drops_the_vectors_too()
    {
        var bytes = await SnapshotAsync();
        var restored = new AgentMemory(embeddingGenerator: new CountingEmbedder(modelId: "all-MiniLM-L6-v2"));

        restored.RestoreSnapshot(bytes);

        Assert.True(restored.PendingEmbeddingCount > 15);
    }

    [Fact]
    public async Task An_embedder_without_metadata_is_checked_on_its_first_vectors()
    {
        var bytes = await SnapshotAsync();
        var same = new AgentMemory(embeddingGenerator: new CountingEmbedder(reportMetadata: false));
        var other = new AgentMemory(QueueOnly, embeddingGenerator: new CountingEmbedder(dimensions: 64, reportMetadata: false));
        same.RestoreSnapshot(bytes);
        other.RestoreSnapshot(bytes);
        Assert.Equal(0, same.PendingEmbeddingCount);
        Assert.Equal(0, other.PendingEmbeddingCount);

        var sameHits = await same.SearchAsync(new SearchRequest { Query = "beagle named Oscar" });
        var otherHits = await other.SearchAsync(new SearchRequest { Query = "beagle named Oscar" }); // no crash

        Assert.Contains(sameHits, h => h.DenseRank is not null);
        Assert.All(otherHits, h => Assert.Null(h.DenseRank));
        Assert.Equal(0, same.PendingEmbeddingCount);
        Assert.True(other.PendingEmbeddingCount > 15);
    }

    [Fact]
    public async Task Journaled_vectors_of_another_model_are_not_used()
    {
        var source = new AgentMemory(embeddingGenerator: new HashingEmbeddingGenerator());
        await source.IngestAsync(Talk.SmallSession());
        var changes = source.DrainChanges();

        var other = new AgentMemory(embeddingGenerator: new CountingEmbedder(modelId: "another-model"));
        other.ApplyChanges(changes);
        var same = new AgentMemory();
        same.ApplyChanges(changes);

        Assert.Equal(15, other.PendingEmbeddingCount);
        Assert.Equal(0, same.PendingEmbeddingCount);
    }

    private static InvalidDataException Restore(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => new AgentMemory().RestoreSnapshot(bytes));

    private static byte[] Patch(byte[] bytes, int index, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] = value;
        return copy;
    }

    // A snapshot around a payload, with correct lengths and checksums.
    private static byte[] Forge(byte[] payload)
    {
        var header = new byte[24];
        "MFAM"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), AgentMemory.SnapshotFormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 1); // checksums are CRC-32C
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), MemoryFabric.Persistence.RecordChecksum.Crc32C(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), MemoryFabric.Persistence.RecordChecksum.Crc32C(header.AsSpan(0, 20)));
        return [.. header, .. payload];
    }
}
