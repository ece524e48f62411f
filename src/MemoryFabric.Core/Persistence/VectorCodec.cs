using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MemoryFabric.Persistence;

/// <summary>How the dense vectors of a snapshot block are stored (<see cref="VectorCodec"/>).</summary>
internal enum VectorEncoding : byte
{
    /// <summary>Raw little-endian float32 components: 4 bytes each, exact. Snapshot versions 1 and 2 store every
    /// vector so; version 3 only a block with a non-finite component.</summary>
    Float32 = 1,

    /// <summary>Symmetric per-vector int8: a little-endian float32 scale, then one signed byte per component;
    /// component = code · scale, scale = max|x| / 127. A 384-dimension vector takes 388 bytes instead of 1,536.</summary>
    Int8 = 2,
}

/// <summary>
/// Encodes dense vectors for snapshots and decodes them: <see cref="VectorEncoding.Int8"/> (the default) or
/// <see cref="VectorEncoding.Float32"/>, one fixed-size record per vector.
/// </summary>
/// <remarks>For a unit vector of d dimensions, each int8 component is off by at most scale / 2, so the decoded
/// vector's cosine to the original is about 1 - d·scale²/24 (above 0.9999 for MiniLM's 384 dimensions; tested at
/// ≥ 0.999). Encoding what was decoded gives the same codes again, so repeated snapshots do not drift.</remarks>
internal static class VectorCodec
{
    private const float MaxCode = 127f;

    /// <summary>The bytes one vector takes.</summary>
    /// <param name="encoding">The encoding.</param>
    /// <param name="dimensions">The vector's dimension.</param>
    /// <returns>The record length.</returns>
    public static int RecordLength(VectorEncoding encoding, int dimensions) => encoding switch
    {
        VectorEncoding.Float32 => dimensions * sizeof(float),
        VectorEncoding.Int8 => sizeof(float) + dimensions,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown vector encoding."),
    };

    /// <summary>Whether a value names a known encoding.</summary>
    /// <param name="value">The stored byte.</param>
    /// <returns><see langword="true"/> for <see cref="VectorEncoding.Float32"/> and <see cref="VectorEncoding.Int8"/>.</returns>
    public static bool IsKnown(byte value) => value is (byte)VectorEncoding.Float32 or (byte)VectorEncoding.Int8;

    /// <summary>The encoding for a set of vectors: int8 unless a component is not finite (NaN or infinite), which
    /// int8 cannot hold: then float32, which keeps them as they are.</summary>
    /// <param name="vectors">The vectors.</param>
    /// <returns>The encoding.</returns>
    public static VectorEncoding Choose(IEnumerable<ReadOnlyMemory<float>> vectors)
    {
        foreach (var vector in vectors)
        {
            if (!IsFinite(vector.Span))
            {
                return VectorEncoding.Float32;
            }
        }

        return VectorEncoding.Int8;
    }

    /// <summary>Encodes one vector.</summary>
    /// <param name="encoding">The encoding.</param>
    /// <param name="vector">The vector.</param>
    /// <param name="destination">Exactly <see cref="RecordLength"/> bytes.</param>
    /// <exception cref="ArgumentException">The destination has the wrong length, or int8 was asked for a vector
    /// with a non-finite component.</exception>
    public static void Encode(VectorEncoding encoding, ReadOnlySpan<float> vector, Span<byte> destination)
    {
        if (destination.Length != RecordLength(encoding, vector.Length))
        {
            throw new ArgumentException($"A {encoding} record of {vector.Length} dimensions takes {RecordLength(encoding, vector.Length)} bytes, not {destination.Length}.", nameof(destination));
        }

        if (encoding == VectorEncoding.Float32)
        {
            WriteFloats(vector, destination);
            return;
        }

        var max = vector.IsEmpty ? 0f : MathF.Abs(TensorPrimitives.MaxMagnitude(vector));
        if (!float.IsFinite(max))
        {
            throw new ArgumentException("int8 cannot encode a vector with a NaN or infinite component.", nameof(vector));
        }

        var codes = MemoryMarshal.Cast<byte, sbyte>(destination[sizeof(float)..]);
        if (max == 0)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination, 0f);
            codes.Clear();
            return;
        }

        BinaryPrimitives.WriteSingleLittleEndian(destination, max / MaxCode);
        QuantizeInt8(vector, MaxCode / max, codes);
    }

    /// <summary>Decodes one vector.</summary>
    /// <param name="encoding">The encoding.</param>
    /// <param name="record">Exactly <see cref="RecordLength"/> bytes.</param>
    /// <param name="destination">The vector (its length is the dimension).</param>
    /// <exception cref="ArgumentException">The record has the wrong length.</exception>
    public static void Decode(VectorEncoding encoding, ReadOnlySpan<byte> record, Span<float> destination)
    {
        if (record.Length != RecordLength(encoding, destination.Length))
        {
            throw new ArgumentException($"A {encoding} record of {destination.Length} dimensions takes {RecordLength(encoding, destination.Length)} bytes, not {record.Length}.", nameof(record));
        }

        if (encoding == VectorEncoding.Float32)
        {
            ReadFloats(record, destination);
            return;
        }

        DequantizeInt8(MemoryMarshal.Cast<byte, sbyte>(record[sizeof(float)..]), BinaryPrimitives.ReadSingleLittleEndian(record), destination);
    }

    /// <summary>Whether a record holds a valid vector: an int8 scale must be finite and not negative (a float32
    /// record may hold anything, as it did before).</summary>
    /// <param name="encoding">The encoding.</param>
    /// <param name="record">The record.</param>
    /// <returns><see langword="true"/> when it can be decoded.</returns>
    public static bool IsValid(VectorEncoding encoding, ReadOnlySpan<byte> record) =>
        encoding != VectorEncoding.Int8 || BinaryPrimitives.ReadSingleLittleEndian(record) is var scale && float.IsFinite(scale) && scale >= 0;

    // code = round(x · factor), to nearest, ties to even; |x| ≤ max, so |code| ≤ 127. (TensorPrimitives' generic
    // float-to-sbyte conversion ran at a quarter of this speed.) Optimized from the first call: a restored memory
    // decodes all its vectors at once, in a process where this has not run yet, and unoptimized vector code is slow.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QuantizeInt8(ReadOnlySpan<float> vector, float factor, Span<sbyte> codes)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var f = Vector128.Create(factor);
            for (; i <= vector.Length - 16; i += 16)
            {
                var a = Vector128.ConvertToInt32(Vector128.Round(Vector128.Create(vector.Slice(i, 4)) * f));
                var b = Vector128.ConvertToInt32(Vector128.Round(Vector128.Create(vector.Slice(i + 4, 4)) * f));
                var c = Vector128.ConvertToInt32(Vector128.Round(Vector128.Create(vector.Slice(i + 8, 4)) * f));
                var d = Vector128.ConvertToInt32(Vector128.Round(Vector128.Create(vector.Slice(i + 12, 4)) * f));
                Vector128.Narrow(Vector128.Narrow(a, b), Vector128.Narrow(c, d)).CopyTo(codes[i..]);
            }
        }

        for (; i < vector.Length; i++)
        {
            codes[i] = (sbyte)Math.Clamp(MathF.Round(vector[i] * factor), -MaxCode, MaxCode);
        }
    }

    // x = code · scale. (The generic sbyte-to-float conversion of TensorPrimitives ran at a quarter of this speed.)
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DequantizeInt8(ReadOnlySpan<sbyte> codes, float scale, Span<float> destination)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var s = Vector128.Create(scale);
            for (; i <= codes.Length - 16; i += 16)
            {
                var (low, high) = Vector128.Widen(Vector128.Create(codes.Slice(i, 16)));
                var (a, b) = Vector128.Widen(low);
                var (c, d) = Vector128.Widen(high);
                (Vector128.ConvertToSingle(a) * s).CopyTo(destination[i..]);
                (Vector128.ConvertToSingle(b) * s).CopyTo(destination[(i + 4)..]);
                (Vector128.ConvertToSingle(c) * s).CopyTo(destination[(i + 8)..]);
                (Vector128.ConvertToSingle(d) * s).CopyTo(destination[(i + 12)..]);
            }
        }

        for (; i < codes.Length; i++)
        {
            destination[i] = codes[i] * scale;
        }
    }

    internal static bool IsFinite(ReadOnlySpan<float> vector)
    {
        // x - x is 0 for a finite x and NaN for NaN or ±∞; the sum of those is NaN as soon as one is.
        float sum = 0;
        foreach (var x in vector)
        {
            sum += x - x;
        }

        return sum == 0;
    }

    private static void WriteFloats(ReadOnlySpan<float> vector, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(vector).CopyTo(destination);
            return;
        }

        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination[(i * sizeof(float))..], vector[i]);
        }
    }

    private static void ReadFloats(ReadOnlySpan<byte> record, Span<float> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            record.CopyTo(MemoryMarshal.AsBytes(destination));
            return;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(record[(i * sizeof(float))..]);
        }
    }
}
