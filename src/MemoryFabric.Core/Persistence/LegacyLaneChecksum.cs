using System.Buffers.Binary;
using System.Numerics;

namespace MemoryFabric.Persistence;

/// <summary>The checksum of records written before they used <see cref="RecordChecksum.Crc32C"/>: three CRC-32C
/// lanes folded together, a checksum of this project's own definition and not the textbook CRC-32C of the block.
/// Kept only to verify those records (snapshots without <see cref="RecordChecksum"/>'s flag, change batches of format
/// versions 1 and 2); nothing is written with it any more.</summary>
internal static class LegacyLaneChecksum
{
    /// <summary>The legacy checksum of a block.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The checksum.</returns>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc0 = uint.MaxValue;
        var crc1 = 0x9E3779B9u;
        var crc2 = 0x7F4A7C15u;
        var i = 0;
        var lanes = data.Length / 24;
        for (var n = 0; n < lanes; n++, i += 24)
        {
            crc0 = BitOperations.Crc32C(crc0, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i)));
            crc1 = BitOperations.Crc32C(crc1, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i + 8)));
            crc2 = BitOperations.Crc32C(crc2, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i + 16)));
        }

        for (; i + 8 <= data.Length; i += 8)
        {
            crc0 = BitOperations.Crc32C(crc0, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i)));
        }

        for (; i < data.Length; i++)
        {
            crc0 = BitOperations.Crc32C(crc0, data[i]);
        }

        crc0 = BitOperations.Crc32C(crc0, crc1);
        crc0 = BitOperations.Crc32C(crc0, crc2);
        crc0 = BitOperations.Crc32C(crc0, (ulong)data.Length);
        return ~crc0;
    }
}
