using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Persistence;

/// <summary>Snapshots and journal batches are checksummed with the standard CRC-32C; records written before, with the
/// legacy lane-folded checksum, still open; corruption is caught under both.</summary>
public sealed class ChecksumFormatTests
{
    private static readonly byte[] Check = Encoding.ASCII.GetBytes("123456789");

    private static uint StandardCrc32C(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);

    private static async Task<AgentMemory> MemoryAsync()
    {
        var memory = new AgentMemory(timeProvider: Scenario.Clock());
        await memory.IngestAsync(Talk.SmallSession());
        await memory.ConsolidateAsync();
        memory.DrainChanges();
        return memory;
    }

    // A snapshot as the previous release wrote it: flags 0 and the legacy checksum.
    private static byte[] AsLegacySnapshot(byte[] current)
    {
        var legacy = (byte[])current.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(legacy.AsSpan(6), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(legacy.AsSpan(16), LegacyLaneChecksum.Compute(legacy.AsSpan(24)));
        BinaryPrimitives.WriteUInt32LittleEndian(legacy.AsSpan(20), LegacyLaneChecksum.Compute(legacy.AsSpan(0, 20)));
        return legacy;
    }

    // A journal batch as the previous release wrote it: format version 2 and the legacy checksum.
    private static byte[] AsLegacyBatch(byte[] current)
    {
        var body = current.AsSpan(0, current.Length - 4).ToArray();
        body[0] = 2;
        var checksum = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, LegacyLaneChecksum.Compute(body));
        return [.. body, .. checksum];
    }

    [Fact]
    public void The_record_checksum_is_the_standard_crc32c()
    {
        Assert.Equal(0xE3069283u, RecordChecksum.Crc32C(Check));
        Assert.Equal(0xE3069283u, StandardCrc32C(Check));
        Assert.Equal(0xCBF43926u, Crc32.HashToUInt32(Check)); // CRC-32 (IEEE), for contrast
        Assert.NotEqual(0xE3069283u, LegacyLaneChecksum.Compute(Check));
    }

    [Fact]
    public async Task A_new_snapshot_carries_the_crc32c_flag_and_standard_checksums()
    {
        var bytes = (await MemoryAsync()).CreateSnapshot();

        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
        Assert.Equal(StandardCrc32C(bytes.AsSpan(24)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(StandardCrc32C(bytes.AsSpan(0, 20)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(20)));
    }

    [Fact]
    public async Task A_snapshot_written_with_the_legacy_checksum_still_restores()
    {
        var memory = await MemoryAsync();
        var legacy = AsLegacySnapshot(memory.CreateSnapshot());

        var restored = new AgentMemory(timeProvider: Scenario.Clock());
        restored.RestoreSnapshot(legacy);

        Assert.Equal(memory.GetStatistics(), restored.GetStatistics());
        var query = new SearchRequest { Query = "support group", Limit = 20 };
        Assert.Equal((await memory.SearchAsync(query)).Select(h => h.Item.Id), (await restored.SearchAsync(query)).Select(h => h.Item.Id));
    }

    [Fact]
    public async Task Snapshot_corruption_is_caught_under_both_checksums()
    {
        var current = (await MemoryAsync()).CreateSnapshot();
        foreach (var bytes in new[] { current, AsLegacySnapshot(current) })
        {
            var payload = (byte[])bytes.Clone();
            payload[payload.Length / 2] ^= 0x20;
            Assert.Contains("payload checksum", Assert.Throws<InvalidDataException>(() => new AgentMemory().RestoreSnapshot(payload)).Message, StringComparison.Ordinal);

            var header = (byte[])bytes.Clone();
            header[9] ^= 0x01;
            Assert.Contains("header checksum", Assert.Throws<InvalidDataException>(() => new AgentMemory().RestoreSnapshot(header)).Message, StringComparison.Ordinal);

            // Flipping the flag makes the reader verify with the other algorithm: caught as well.
            var flag = (byte[])bytes.Clone();
            flag[6] ^= 0x01;
            Assert.Throws<InvalidDataException>(() => new AgentMemory().RestoreSnapshot(flag));
        }
    }

    [Fact]
    public void A_new_journal_batch_is_version_3_with_a_standard_crc32c()
    {
        var batch = MemoryChangeCodec.Encode([new TurnStored(Talk.Turn("t1", "Jon", "Hello there", Talk.May8, 1))]);

        Assert.Equal(3, batch[0]);
        Assert.Equal(StandardCrc32C(batch.AsSpan(0, batch.Length - 4)), BinaryPrimitives.ReadUInt32LittleEndian(batch.AsSpan(batch.Length - 4)));
    }

    [Fact]
    public void A_journal_batch_written_with_the_legacy_checksum_still_decodes_and_corruption_is_caught_in_both()
    {
        var current = MemoryChangeCodec.Encode([new TurnStored(Talk.Turn("t1", "Jon", "Hello there", Talk.May8, 1))]);
        var legacy = AsLegacyBatch(current);

        Assert.Equal("Hello there", Assert.IsType<TurnStored>(Assert.Single(MemoryChangeCodec.Decode(legacy))).Turn.Text);
        foreach (var bytes in new[] { current, legacy })
        {
            var corrupt = (byte[])bytes.Clone();
            corrupt[^6] ^= 0x04;
            Assert.Contains("checksum mismatch", Assert.Throws<InvalidDataException>(() => MemoryChangeCodec.Decode(corrupt)).Message, StringComparison.Ordinal);
        }

        // A version 2 batch with a standard checksum (or a version 3 one with the legacy checksum) is rejected.
        var mixed = (byte[])current.Clone();
        mixed[0] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(mixed.AsSpan(mixed.Length - 4), StandardCrc32C(mixed.AsSpan(0, mixed.Length - 4)));
        Assert.Throws<InvalidDataException>(() => MemoryChangeCodec.Decode(mixed));
    }
}
