using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MemoryFabric.VectorIndex.Quantization;

/// <summary>
/// Integer dot products of int8 codes. The hardware instruction (VNNI <c>vpdpbusd</c>) multiplies unsigned by signed
/// bytes, so the left operand is biased by 128 (a flip of the sign bit): Σ (a+128)·b = Σ a·b + 128·Σ b, and the
/// caller subtracts the precomputed 128·Σ b of the right vector (<see cref="QuantParams.Bias"/>). Rows are padded with
/// zeros to a multiple of 32 bytes. Paths, fastest first: AVX-VNNI (256-bit, 4 accumulators), AVX2 (<c>vpsignb</c> and
/// <c>vpmaddubsw</c> on the signed codes, <see cref="DotSignAvx2"/>), portable. The graph's distances go through
/// <see cref="DotQuery"/> and <see cref="DotSigned"/>, which pick the path.
/// </summary>
internal static unsafe class Int8Kernels
{
    /// <summary>The row alignment in bytes (rows are zero-padded to a multiple of it).</summary>
    public const int RowAlignment = 32;

    /// <summary>Which path runs on this machine.</summary>
    public static string Path => AvxVnni.IsSupported ? "avx-vnni" : Avx2.IsSupported ? "avx2" : "portable";

    /// <summary>Σ q[i]·s[i], the plain dot product of a query's codes q and a stored row s: the query is given biased
    /// (q + 128, as <see cref="DotVnni"/> takes it) and the row's <see cref="QuantParams.Bias"/> beside it.</summary>
    /// <param name="biasedQuery">The query's codes + 128.</param>
    /// <param name="s">The stored row.</param>
    /// <param name="length">The padded row length (multiple of 32).</param>
    /// <param name="bias">128 · Σ s (the row's <see cref="QuantParams.Bias"/>).</param>
    /// <returns>The dot product.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DotQuery(byte* biasedQuery, sbyte* s, int length, int bias)
    {
        if (AvxVnni.IsSupported)
        {
            return DotVnni(biasedQuery, s, length) - bias;
        }

        return Avx2.IsSupported ? DotSignAvx2(biasedQuery, s, length, unbias: true) : DotPortable(biasedQuery, s, length) - bias;
    }

    /// <summary>Σ a[i]·b[i] for two stored rows.</summary>
    /// <param name="a">One row.</param>
    /// <param name="b">The other.</param>
    /// <param name="length">The padded row length (multiple of 32).</param>
    /// <param name="biasB">128 · Σ b (the <see cref="QuantParams.Bias"/> of <paramref name="b"/>).</param>
    /// <returns>The dot product.</returns>
    public static int DotSigned(sbyte* a, sbyte* b, int length, int biasB)
    {
        if (AvxVnni.IsSupported)
        {
            return DotSignedBiased(a, b, length) - biasB;
        }

        return Avx2.IsSupported ? DotSignAvx2((byte*)a, b, length, unbias: false) : DotSignedBiasedPortable(a, b, length) - biasB;
    }

    /// <summary>
    /// The AVX2 dot product of two signed rows with codes in [-127, 127]: <c>vpsignb</c> makes the left operand its
    /// absolute value (0 to 127, a valid unsigned byte) and moves its sign onto the right one, so <c>vpmaddubsw</c>
    /// sums pairs of products of at most 2 · 127 · 127 = 32,258 in int16 without saturating; <c>vpmaddwd</c> by ones
    /// widens them to int32. One multiply-add pair per 32 inputs instead of the two of sign extension.
    /// </summary>
    /// <param name="a">The left row (signed codes, or signed codes + 128 when <paramref name="unbias"/>).</param>
    /// <param name="b">The right row.</param>
    /// <param name="length">The padded row length (multiple of 32).</param>
    /// <param name="unbias">Whether <paramref name="a"/> holds codes + 128 (a biased query), undone in registers.</param>
    /// <returns>Σ a·b of the signed codes.</returns>
    public static int DotSignAvx2(byte* a, sbyte* b, int length, bool unbias)
    {
        var flip = unbias ? Vector256.Create((byte)0x80) : Vector256<byte>.Zero;
        var ones = Vector256.Create((short)1);
        var acc0 = Vector256<int>.Zero;
        var acc1 = Vector256<int>.Zero;
        var i = 0;
        for (; i + 64 <= length; i += 64)
        {
            var a0 = (Vector256.Load(a + i) ^ flip).AsSByte();
            var a1 = (Vector256.Load(a + i + 32) ^ flip).AsSByte();
            var p0 = Avx2.MultiplyAddAdjacent(Avx2.Sign(a0, a0).AsByte(), Avx2.Sign(Vector256.Load(b + i), a0));
            var p1 = Avx2.MultiplyAddAdjacent(Avx2.Sign(a1, a1).AsByte(), Avx2.Sign(Vector256.Load(b + i + 32), a1));
            acc0 += Avx2.MultiplyAddAdjacent(p0, ones);
            acc1 += Avx2.MultiplyAddAdjacent(p1, ones);
        }

        if (i < length)
        {
            var a0 = (Vector256.Load(a + i) ^ flip).AsSByte();
            var p0 = Avx2.MultiplyAddAdjacent(Avx2.Sign(a0, a0).AsByte(), Avx2.Sign(Vector256.Load(b + i), a0));
            acc0 += Avx2.MultiplyAddAdjacent(p0, ones);
        }

        return Vector256.Sum(acc0 + acc1);
    }

    /// <summary>Σ (a[i]+128)·b[i] for two signed rows (the bias is applied in registers).</summary>
    /// <param name="a">The left row (biased on the fly).</param>
    /// <param name="b">The right row.</param>
    /// <param name="length">The padded row length (multiple of 32).</param>
    /// <returns>The sum.</returns>
    public static int DotSignedBiased(sbyte* a, sbyte* b, int length)
    {
        if (AvxVnni.IsSupported)
        {
            var flip = Vector256.Create((byte)0x80);
            var acc0 = Vector256<int>.Zero;
            var acc1 = Vector256<int>.Zero;
            var i = 0;
            for (; i + 64 <= length; i += 64)
            {
                acc0 = AvxVnni.MultiplyWideningAndAdd(acc0, Vector256.Load((byte*)a + i) ^ flip, Vector256.Load(b + i));
                acc1 = AvxVnni.MultiplyWideningAndAdd(acc1, Vector256.Load((byte*)a + i + 32) ^ flip, Vector256.Load(b + i + 32));
            }

            if (i < length)
            {
                acc0 = AvxVnni.MultiplyWideningAndAdd(acc0, Vector256.Load((byte*)a + i) ^ flip, Vector256.Load(b + i));
            }

            return Vector256.Sum(acc0 + acc1);
        }

        return DotSignedBiasedPortable(a, b, length);
    }

    /// <summary>The portable path of <see cref="DotSignedBiased"/>.</summary>
    /// <param name="a">The left row (biased on the fly).</param>
    /// <param name="b">The right row.</param>
    /// <param name="length">The row length.</param>
    /// <returns>The sum.</returns>
    public static int DotSignedBiasedPortable(sbyte* a, sbyte* b, int length)
    {
        var sum = 0;
        for (var i = 0; i < length; i++)
        {
            sum += (a[i] + 128) * b[i];
        }

        return sum;
    }

    /// <summary>Σ u[i]·s[i] with u unsigned (a biased query) and s signed, with AVX-VNNI (the VNNI path of
    /// <see cref="DotQuery"/>).</summary>
    /// <param name="u">The unsigned row.</param>
    /// <param name="s">The signed row.</param>
    /// <param name="length">The padded length.</param>
    /// <returns>The sum.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DotVnni(byte* u, sbyte* s, int length)
    {
        var acc0 = Vector256<int>.Zero;
        var acc1 = Vector256<int>.Zero;
        var acc2 = Vector256<int>.Zero;
        var acc3 = Vector256<int>.Zero;
        var i = 0;
        for (; i + 128 <= length; i += 128)
        {
            acc0 = AvxVnni.MultiplyWideningAndAdd(acc0, Vector256.Load(u + i), Vector256.Load(s + i));
            acc1 = AvxVnni.MultiplyWideningAndAdd(acc1, Vector256.Load(u + i + 32), Vector256.Load(s + i + 32));
            acc2 = AvxVnni.MultiplyWideningAndAdd(acc2, Vector256.Load(u + i + 64), Vector256.Load(s + i + 64));
            acc3 = AvxVnni.MultiplyWideningAndAdd(acc3, Vector256.Load(u + i + 96), Vector256.Load(s + i + 96));
        }

        for (; i < length; i += 32)
        {
            acc0 = AvxVnni.MultiplyWideningAndAdd(acc0, Vector256.Load(u + i), Vector256.Load(s + i));
        }

        return Vector256.Sum((acc0 + acc1) + (acc2 + acc3));
    }

    /// <summary>Σ u[i]·s[i] without SIMD (the portable path of <see cref="DotQuery"/>).</summary>
    /// <param name="u">The unsigned row.</param>
    /// <param name="s">The signed row.</param>
    /// <param name="length">The length.</param>
    /// <returns>The sum.</returns>
    public static int DotPortable(byte* u, sbyte* s, int length)
    {
        var sum = 0;
        for (var i = 0; i < length; i++)
        {
            sum += u[i] * s[i];
        }

        return sum;
    }
}
