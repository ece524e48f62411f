using System.IO.Hashing;

namespace MemoryFabric.Persistence;

/// <summary>The checksums of stored records (agent snapshots, journal change batches): the standard CRC-32C
/// (Castagnoli, as in iSCSI and ext4; <c>CRC-32C("123456789") = 0xE3069283</c>) from System.IO.Hashing, and, for
/// records written before, <see cref="LegacyLaneChecksum"/>.</summary>
internal static class RecordChecksum
{
    /// <summary>The standard CRC-32C of a block.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The CRC-32C.</returns>
    public static uint Crc32C(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);

    /// <summary>The checksum of a block under the algorithm a record names.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="legacy">Whether the record predates CRC-32C (<see cref="LegacyLaneChecksum"/>).</param>
    /// <returns>The checksum.</returns>
    public static uint Compute(ReadOnlySpan<byte> data, bool legacy) => legacy ? LegacyLaneChecksum.Compute(data) : Crc32C(data);
}
