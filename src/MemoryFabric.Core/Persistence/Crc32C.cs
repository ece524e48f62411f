using System.Buffers.Binary;
using System.Numerics;

namespace MemoryFabric.Persistence;

/// <summary>CRC-32C (Castagnoli) through <see cref="BitOperations.Crc32C(uint, ulong)"/>, which uses the CPU's CRC
/// instruction where there is one (SSE4.2, ARMv8) and a table otherwise. System.IO.Hashing is not a dependency.</summary>
internal static class Crc32C
{
    /// <summary>The checksum of a block.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The CRC-32C.</returns>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        // Three independent lanes keep the CRC unit busy (its latency is three times its throughput); the lane
        // results are folded with a plain CRC over them, so this is a checksum of our own definition, not the
        // textbook CRC-32C of the whole block. It only has to be stable and to catch corruption.
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
