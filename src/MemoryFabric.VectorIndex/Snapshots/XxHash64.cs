using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MemoryFabric.VectorIndex.Snapshots;

/// <summary>
/// XXH64 (Yann Collet's xxHash, 64-bit variant; the reference algorithm, bit for bit), streaming. Used for snapshot
/// checksums and for stable key hashes (<see cref="string.GetHashCode()"/> is randomized per process).
/// </summary>
internal struct XxHash64
{
    private const ulong Prime1 = 11400714785074694791UL;
    private const ulong Prime2 = 14029467366897019727UL;
    private const ulong Prime3 = 1609587929392839161UL;
    private const ulong Prime4 = 9650029242287828579UL;
    private const ulong Prime5 = 2870177450012600261UL;

    private readonly ulong _seed;
    private ulong _v1;
    private ulong _v2;
    private ulong _v3;
    private ulong _v4;
    private ulong _total;
    private Buffer32 _buffer;
    private int _buffered;

    /// <summary>Starts a hash.</summary>
    /// <param name="seed">The seed.</param>
    public XxHash64(ulong seed)
    {
        _seed = seed;
        _v1 = seed + Prime1 + Prime2;
        _v2 = seed + Prime2;
        _v3 = seed;
        _v4 = seed - Prime1;
    }

    /// <summary>Hashes a span in one call.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The hash.</returns>
    public static ulong Hash(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        var hash = new XxHash64(seed);
        hash.Append(data);
        return hash.Digest();
    }

    /// <summary>Adds bytes.</summary>
    /// <param name="data">The bytes.</param>
    public void Append(ReadOnlySpan<byte> data)
    {
        _total += (ulong)data.Length;
        Span<byte> buffer = _buffer;
        if (_buffered > 0)
        {
            var take = Math.Min(32 - _buffered, data.Length);
            data[..take].CopyTo(buffer[_buffered..]);
            _buffered += take;
            data = data[take..];
            if (_buffered < 32)
            {
                return;
            }

            Stripe(buffer);
            _buffered = 0;
        }

        var v1 = _v1;
        var v2 = _v2;
        var v3 = _v3;
        var v4 = _v4;
        while (data.Length >= 32)
        {
            v1 = Round(v1, BinaryPrimitives.ReadUInt64LittleEndian(data));
            v2 = Round(v2, BinaryPrimitives.ReadUInt64LittleEndian(data[8..]));
            v3 = Round(v3, BinaryPrimitives.ReadUInt64LittleEndian(data[16..]));
            v4 = Round(v4, BinaryPrimitives.ReadUInt64LittleEndian(data[24..]));
            data = data[32..];
        }

        _v1 = v1;
        _v2 = v2;
        _v3 = v3;
        _v4 = v4;
        if (!data.IsEmpty)
        {
            data.CopyTo(buffer);
            _buffered = data.Length;
        }
    }

    /// <summary>The hash of the bytes added so far.</summary>
    /// <returns>The hash.</returns>
    public readonly ulong Digest()
    {
        ulong hash;
        if (_total >= 32)
        {
            hash = BitOperations.RotateLeft(_v1, 1) + BitOperations.RotateLeft(_v2, 7)
                + BitOperations.RotateLeft(_v3, 12) + BitOperations.RotateLeft(_v4, 18);
            hash = MergeRound(hash, _v1);
            hash = MergeRound(hash, _v2);
            hash = MergeRound(hash, _v3);
            hash = MergeRound(hash, _v4);
        }
        else
        {
            hash = _seed + Prime5;
        }

        hash += _total;
        ReadOnlySpan<byte> rest = ((ReadOnlySpan<byte>)_buffer)[.._buffered];
        while (rest.Length >= 8)
        {
            hash ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(rest));
            hash = (BitOperations.RotateLeft(hash, 27) * Prime1) + Prime4;
            rest = rest[8..];
        }

        if (rest.Length >= 4)
        {
            hash ^= BinaryPrimitives.ReadUInt32LittleEndian(rest) * Prime1;
            hash = (BitOperations.RotateLeft(hash, 23) * Prime2) + Prime3;
            rest = rest[4..];
        }

        foreach (var b in rest)
        {
            hash ^= b * Prime5;
            hash = BitOperations.RotateLeft(hash, 11) * Prime1;
        }

        hash ^= hash >> 33;
        hash *= Prime2;
        hash ^= hash >> 29;
        hash *= Prime3;
        hash ^= hash >> 32;
        return hash;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Round(ulong accumulator, ulong input)
    {
        accumulator += input * Prime2;
        accumulator = BitOperations.RotateLeft(accumulator, 31);
        return accumulator * Prime1;
    }

    private static ulong MergeRound(ulong accumulator, ulong value)
    {
        accumulator ^= Round(0, value);
        return (accumulator * Prime1) + Prime4;
    }

    private void Stripe(ReadOnlySpan<byte> stripe)
    {
        _v1 = Round(_v1, BinaryPrimitives.ReadUInt64LittleEndian(stripe));
        _v2 = Round(_v2, BinaryPrimitives.ReadUInt64LittleEndian(stripe[8..]));
        _v3 = Round(_v3, BinaryPrimitives.ReadUInt64LittleEndian(stripe[16..]));
        _v4 = Round(_v4, BinaryPrimitives.ReadUInt64LittleEndian(stripe[24..]));
    }

    [InlineArray(32)]
    private struct Buffer32
    {
        private byte _element0;
    }
}
