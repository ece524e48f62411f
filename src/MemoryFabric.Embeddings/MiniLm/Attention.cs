using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>
/// Multi-head self-attention of one sequence, in fp32. Per head: the keys are transposed (8×8 register
/// transposes) into a scratch matrix; queries are taken four at a time, so each transposed-key load feeds four
/// FMAs (scores = a 4 × 32 register tile per step); a max-subtracted softmax per query; then the weighted sum
/// of the values, again four queries per value load. Sequences are stored without padding (the tokens of a
/// batch packed back to back), so no mask is needed: a token only ever attends within its own sequence.
/// </summary>
internal static unsafe class Attention
{
    private const int QueryTile = 4;

    private const int WideQueryTile = 8;

    /// <summary>The scratch floats <see cref="Forward(float*, int, float*, int, int, float, float*, int)"/> needs for sequences up to <paramref name="maxLength"/>.</summary>
    public static int ScratchSize(int maxLength, int headSize) => (headSize + WideQueryTile) * RoundUp(maxLength);

    /// <summary>Computes the attention output of one sequence (bounds-checked span form of the pointer overload).</summary>
    public static void Forward(ReadOnlySpan<float> qkv, int length, Span<float> output, int hidden, int heads, float scale, int queries = -1)
    {
        if (qkv.Length < length * 3 * hidden || output.Length < length * hidden)
        {
            throw new ArgumentException("A buffer is smaller than length × its width.");
        }

        var scratch = new float[ScratchSize(length, hidden / heads)];
        fixed (float* q = qkv)
        fixed (float* o = output)
        fixed (float* s = scratch)
        {
            Forward(q, length, o, hidden, heads, scale, s, queries);
        }
    }

    /// <summary>Computes the attention output of one sequence.</summary>
    /// <param name="qkv">Projected queries, keys and values: rows of [Q | K | V], each <paramref name="hidden"/> wide.</param>
    /// <param name="length">The sequence's number of tokens (rows).</param>
    /// <param name="output">The output rows, <paramref name="hidden"/> wide (heads concatenated).</param>
    /// <param name="hidden">The hidden size.</param>
    /// <param name="heads">The number of heads; hidden / heads must be a multiple of 8.</param>
    /// <param name="scale">The factor on the query-key dot products.</param>
    /// <param name="scratch">At least <see cref="ScratchSize"/> floats.</param>
    /// <param name="queries">How many of the first query rows to compute (all keys and values are attended to);
    /// by default all of them. Output row i is query i's; rows from <paramref name="queries"/> on are not written.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float* qkv, int length, float* output, int hidden, int heads, float scale, float* scratch, int queries = -1)
    {
        queries = queries < 0 ? length : Math.Min(queries, length);
        var headSize = hidden / heads;
        var stride = 3 * hidden;
        var padded = RoundUp(length);
        var keys = scratch;                          // [headSize][padded]: one head's keys, transposed
        var scores = scratch + headSize * padded;    // [QueryTile][padded]: the scores of up to four queries
        var inverse = stackalloc float[WideQueryTile];
        var wide = Vector512.IsHardwareAccelerated && headSize % 32 == 0;
        for (var h = 0; h < heads; h++)
        {
            var headOffset = h * headSize;
            TransposeKeys(qkv + hidden + headOffset, stride, length, padded, headSize, keys);
            var values = qkv + 2 * hidden + headOffset;
            var i = 0;
            if (wide)
            {
                for (; i + WideQueryTile <= queries; i += WideQueryTile)
                {
                    Scores8(qkv + (nint)i * stride + headOffset, stride, keys, headSize, padded, scale, scores);
                    for (var q = 0; q < WideQueryTile; q++)
                    {
                        inverse[q] = SoftmaxUnnormalized(scores + q * padded, length);
                    }

                    WeightedValues8(scores, padded, length, values, stride, headSize, inverse, output + (nint)i * hidden + headOffset, hidden);
                }
            }

            for (; i < queries; i += QueryTile)
            {
                var count = Math.Min(QueryTile, queries - i);
                var query = qkv + (nint)i * stride + headOffset;
                Scores(query, stride, count, keys, headSize, padded, scale, scores);
                for (var q = 0; q < count; q++)
                {
                    inverse[q] = SoftmaxUnnormalized(scores + q * padded, length);
                }

                var target = output + (nint)i * hidden + headOffset;
                if (count == QueryTile && headSize % 32 == 0)
                {
                    WeightedValues4(scores, padded, length, values, stride, headSize, inverse, target, hidden);
                }
                else
                {
                    for (var q = 0; q < count; q++)
                    {
                        WeightedValues1(scores + q * padded, length, values, stride, headSize, inverse[q], target + (nint)q * hidden);
                    }
                }
            }
        }
    }

    // Keys are padded to a multiple of 16 (one zmm).
    private static int RoundUp(int length) => (length + 15) & ~15;

    // keys[d·padded + j] = K[j][d], zero for j in [length, padded).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeKeys(float* k, int stride, int length, int padded, int headSize, float* keys)
    {
        var j = 0;
        if (Avx.IsSupported)
        {
            for (; j + 8 <= length; j += 8)
            {
                for (var d = 0; d < headSize; d += 8)
                {
                    Transpose8x8(k + (nint)j * stride + d, stride, keys + (nint)d * padded + j, padded);
                }
            }
        }

        for (; j < padded; j++)
        {
            var row = k + (nint)j * stride;
            for (var d = 0; d < headSize; d++)
            {
                keys[d * padded + j] = j < length ? row[d] : 0f;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* source, int sourceStride, float* target, int targetStride)
    {
        var r0 = Avx.LoadVector256(source);
        var r1 = Avx.LoadVector256(source + sourceStride);
        var r2 = Avx.LoadVector256(source + 2 * sourceStride);
        var r3 = Avx.LoadVector256(source + 3 * sourceStride);
        var r4 = Avx.LoadVector256(source + 4 * sourceStride);
        var r5 = Avx.LoadVector256(source + 5 * sourceStride);
        var r6 = Avx.LoadVector256(source + 6 * sourceStride);
        var r7 = Avx.LoadVector256(source + 7 * sourceStride);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(target, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(target + targetStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(target + 2 * targetStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(target + 3 * targetStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(target + 4 * targetStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(target + 5 * targetStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(target + 6 * targetStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(target + 7 * targetStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    // scores[q·padded + j] = scale · q_q · k_j for up to four queries (padded keys are zero).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scores(float* query, int stride, int count, float* keys, int headSize, int padded, float scale, float* scores)
    {
        var q0 = query;
        var q1 = count > 1 ? query + stride : query;
        var q2 = count > 2 ? query + 2 * stride : query;
        var q3 = count > 3 ? query + 3 * stride : query;
        var s = Vector256.Create(scale);
        var j = 0;
        for (; j + 16 <= padded; j += 16)
        {
            Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default;
            Vector256<float> a20 = default, a21 = default, a30 = default, a31 = default;
            var column = keys + j;
            for (var d = 0; d < headSize; d++, column += padded)
            {
                var k0 = Vector256.Load(column);
                var k1 = Vector256.Load(column + 8);
                var x = Vector256.Create(q0[d]);
                a00 = Vector256.FusedMultiplyAdd(x, k0, a00);
                a01 = Vector256.FusedMultiplyAdd(x, k1, a01);
                x = Vector256.Create(q1[d]);
                a10 = Vector256.FusedMultiplyAdd(x, k0, a10);
                a11 = Vector256.FusedMultiplyAdd(x, k1, a11);
                x = Vector256.Create(q2[d]);
                a20 = Vector256.FusedMultiplyAdd(x, k0, a20);
                a21 = Vector256.FusedMultiplyAdd(x, k1, a21);
                x = Vector256.Create(q3[d]);
                a30 = Vector256.FusedMultiplyAdd(x, k0, a30);
                a31 = Vector256.FusedMultiplyAdd(x, k1, a31);
            }

            (a00 * s).Store(scores + j);
            (a01 * s).Store(scores + j + 8);
            (a10 * s).Store(scores + padded + j);
            (a11 * s).Store(scores + padded + j + 8);
            (a20 * s).Store(scores + 2 * padded + j);
            (a21 * s).Store(scores + 2 * padded + j + 8);
            (a30 * s).Store(scores + 3 * padded + j);
            (a31 * s).Store(scores + 3 * padded + j + 8);
        }

        for (; j < padded; j += 8)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            var column = keys + j;
            for (var d = 0; d < headSize; d++, column += padded)
            {
                var k0 = Vector256.Load(column);
                a0 = Vector256.FusedMultiplyAdd(Vector256.Create(q0[d]), k0, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Create(q1[d]), k0, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.Create(q2[d]), k0, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.Create(q3[d]), k0, a3);
            }

            (a0 * s).Store(scores + j);
            (a1 * s).Store(scores + padded + j);
            (a2 * s).Store(scores + 2 * padded + j);
            (a3 * s).Store(scores + 3 * padded + j);
        }
    }

    // Eight queries with 16-lane vectors: scores[q·padded + j] = scale · q_q · k_j, 32 keys per step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scores8(float* query, int stride, float* keys, int headSize, int padded, float scale, float* scores)
    {
        var s = Vector512.Create(scale);
        var q0 = query;
        var q1 = query + stride;
        var q2 = query + 2 * stride;
        var q3 = query + 3 * stride;
        var q4 = query + 4 * stride;
        var q5 = query + 5 * stride;
        var q6 = query + 6 * stride;
        var q7 = query + 7 * stride;
        var j = 0;
        for (; j + 32 <= padded; j += 32)
        {
            Vector512<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
            Vector512<float> a40 = default, a41 = default, a50 = default, a51 = default, a60 = default, a61 = default, a70 = default, a71 = default;
            var column = keys + j;
            for (var d = 0; d < headSize; d++, column += padded)
            {
                var k0 = Vector512.Load(column);
                var k1 = Vector512.Load(column + 16);
                var x = Vector512.Create(q0[d]);
                a00 = Vector512.FusedMultiplyAdd(x, k0, a00);
                a01 = Vector512.FusedMultiplyAdd(x, k1, a01);
                x = Vector512.Create(q1[d]);
                a10 = Vector512.FusedMultiplyAdd(x, k0, a10);
                a11 = Vector512.FusedMultiplyAdd(x, k1, a11);
                x = Vector512.Create(q2[d]);
                a20 = Vector512.FusedMultiplyAdd(x, k0, a20);
                a21 = Vector512.FusedMultiplyAdd(x, k1, a21);
                x = Vector512.Create(q3[d]);
                a30 = Vector512.FusedMultiplyAdd(x, k0, a30);
                a31 = Vector512.FusedMultiplyAdd(x, k1, a31);
                x = Vector512.Create(q4[d]);
                a40 = Vector512.FusedMultiplyAdd(x, k0, a40);
                a41 = Vector512.FusedMultiplyAdd(x, k1, a41);
                x = Vector512.Create(q5[d]);
                a50 = Vector512.FusedMultiplyAdd(x, k0, a50);
                a51 = Vector512.FusedMultiplyAdd(x, k1, a51);
                x = Vector512.Create(q6[d]);
                a60 = Vector512.FusedMultiplyAdd(x, k0, a60);
                a61 = Vector512.FusedMultiplyAdd(x, k1, a61);
                x = Vector512.Create(q7[d]);
                a70 = Vector512.FusedMultiplyAdd(x, k0, a70);
                a71 = Vector512.FusedMultiplyAdd(x, k1, a71);
            }

            var target = scores + j;
            (a00 * s).Store(target);
            (a01 * s).Store(target + 16);
            (a10 * s).Store(target + padded);
            (a11 * s).Store(target + padded + 16);
            (a20 * s).Store(target + 2 * padded);
            (a21 * s).Store(target + 2 * padded + 16);
            (a30 * s).Store(target + 3 * padded);
            (a31 * s).Store(target + 3 * padded + 16);
            (a40 * s).Store(target + 4 * padded);
            (a41 * s).Store(target + 4 * padded + 16);
            (a50 * s).Store(target + 5 * padded);
            (a51 * s).Store(target + 5 * padded + 16);
            (a60 * s).Store(target + 6 * padded);
            (a61 * s).Store(target + 6 * padded + 16);
            (a70 * s).Store(target + 7 * padded);
            (a71 * s).Store(target + 7 * padded + 16);
        }

        for (; j < padded; j += 16)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            var column = keys + j;
            for (var d = 0; d < headSize; d++, column += padded)
            {
                var k0 = Vector512.Load(column);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(q0[d]), k0, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(q1[d]), k0, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(q2[d]), k0, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(q3[d]), k0, a3);
                a4 = Vector512.FusedMultiplyAdd(Vector512.Create(q4[d]), k0, a4);
                a5 = Vector512.FusedMultiplyAdd(Vector512.Create(q5[d]), k0, a5);
                a6 = Vector512.FusedMultiplyAdd(Vector512.Create(q6[d]), k0, a6);
                a7 = Vector512.FusedMultiplyAdd(Vector512.Create(q7[d]), k0, a7);
            }

            var target = scores + j;
            (a0 * s).Store(target);
            (a1 * s).Store(target + padded);
            (a2 * s).Store(target + 2 * padded);
            (a3 * s).Store(target + 3 * padded);
            (a4 * s).Store(target + 4 * padded);
            (a5 * s).Store(target + 5 * padded);
            (a6 * s).Store(target + 6 * padded);
            (a7 * s).Store(target + 7 * padded);
        }
    }

    // Eight queries with 16-lane vectors: output[q][0..headSize) = inverse[q] · Σ_j p[q][j] · v_j.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightedValues8(float* p, int padded, int length, float* values, int stride, int headSize, float* inverse, float* output, int outputStride)
    {
        for (var d = 0; d < headSize; d += 32)
        {
            Vector512<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
            Vector512<float> a40 = default, a41 = default, a50 = default, a51 = default, a60 = default, a61 = default, a70 = default, a71 = default;
            var v = values + d;
            for (var j = 0; j < length; j++, v += stride)
            {
                var v0 = Vector512.Load(v);
                var v1 = Vector512.Load(v + 16);
                var w = Vector512.Create(p[j]);
                a00 = Vector512.FusedMultiplyAdd(w, v0, a00);
                a01 = Vector512.FusedMultiplyAdd(w, v1, a01);
                w = Vector512.Create(p[padded + j]);
                a10 = Vector512.FusedMultiplyAdd(w, v0, a10);
                a11 = Vector512.FusedMultiplyAdd(w, v1, a11);
                w = Vector512.Create(p[2 * padded + j]);
                a20 = Vector512.FusedMultiplyAdd(w, v0, a20);
                a21 = Vector512.FusedMultiplyAdd(w, v1, a21);
                w = Vector512.Create(p[3 * padded + j]);
                a30 = Vector512.FusedMultiplyAdd(w, v0, a30);
                a31 = Vector512.FusedMultiplyAdd(w, v1, a31);
                w = Vector512.Create(p[4 * padded + j]);
                a40 = Vector512.FusedMultiplyAdd(w, v0, a40);
                a41 = Vector512.FusedMultiplyAdd(w, v1, a41);
                w = Vector512.Create(p[5 * padded + j]);
                a50 = Vector512.FusedMultiplyAdd(w, v0, a50);
                a51 = Vector512.FusedMultiplyAdd(w, v1, a51);
                w = Vector512.Create(p[6 * padded + j]);
                a60 = Vector512.FusedMultiplyAdd(w, v0, a60);
                a61 = Vector512.FusedMultiplyAdd(w, v1, a61);
                w = Vector512.Create(p[7 * padded + j]);
                a70 = Vector512.FusedMultiplyAdd(w, v0, a70);
                a71 = Vector512.FusedMultiplyAdd(w, v1, a71);
            }

            Store2(output + d, a00, a01, inverse[0]);
            Store2(output + outputStride + d, a10, a11, inverse[1]);
            Store2(output + 2 * outputStride + d, a20, a21, inverse[2]);
            Store2(output + 3 * outputStride + d, a30, a31, inverse[3]);
            Store2(output + 4 * outputStride + d, a40, a41, inverse[4]);
            Store2(output + 5 * outputStride + d, a50, a51, inverse[5]);
            Store2(output + 6 * outputStride + d, a60, a61, inverse[6]);
            Store2(output + 7 * outputStride + d, a70, a71, inverse[7]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store2(float* target, Vector512<float> a0, Vector512<float> a1, float scale)
    {
        var s = Vector512.Create(scale);
        (a0 * s).Store(target);
        (a1 * s).Store(target + 16);
    }

    // scores[j] = exp(scores[j] − max) for j < length; returns 1 / Σ.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float SoftmaxUnnormalized(float* scores, int length)
    {
        var j = 0;
        var max = float.NegativeInfinity;
        if (length >= 8)
        {
            var m = Vector256.Create(float.NegativeInfinity);
            for (; j + 8 <= length; j += 8)
            {
                m = Vector256.Max(m, Vector256.Load(scores + j));
            }

            max = HorizontalMax(m);
        }

        for (; j < length; j++)
        {
            max = MathF.Max(max, scores[j]);
        }

        var sum = 0f;
        j = 0;
        if (Vector512.IsHardwareAccelerated && length >= 16)
        {
            var vmax = Vector512.Create(max);
            var acc = Vector512<float>.Zero;
            for (; j + 16 <= length; j += 16)
            {
                var e = VectorMath.Exp(Vector512.Load(scores + j) - vmax);
                e.Store(scores + j);
                acc += e;
            }

            sum = Vector512.Sum(acc);
        }

        if (length - j >= 8)
        {
            var vmax = Vector256.Create(max);
            var acc = Vector256<float>.Zero;
            for (; j + 8 <= length; j += 8)
            {
                var e = VectorMath.Exp(Vector256.Load(scores + j) - vmax);
                e.Store(scores + j);
                acc += e;
            }

            sum += Vector256.Sum(acc);
        }

        for (; j < length; j++)
        {
            var e = MathF.Exp(scores[j] - max);
            scores[j] = e;
            sum += e;
        }

        return 1f / sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(Vector256<float> v)
    {
        var m = Vector128.Max(v.GetLower(), v.GetUpper());
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }

    // Four queries: output[q][0..headSize) = inverse[q] · Σ_j p[q][j] · v_j, 32 dimensions at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightedValues4(float* p, int padded, int length, float* values, int stride, int headSize, float* inverse, float* output, int outputStride)
    {
        for (var d = 0; d < headSize; d += 32)
        {
            Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector256<float> a10 = default, a11 = default, a12 = default, a13 = default;
            Vector256<float> a20 = default, a21 = default, a22 = default, a23 = default;
            Vector256<float> a30 = default, a31 = default, a32 = default, a33 = default;
            var v = values + d;
            for (var j = 0; j < length; j++, v += stride)
            {
                var v0 = Vector256.Load(v);
                var v1 = Vector256.Load(v + 8);
                var v2 = Vector256.Load(v + 16);
                var v3 = Vector256.Load(v + 24);
                var w = Vector256.Create(p[j]);
                a00 = Vector256.FusedMultiplyAdd(w, v0, a00);
                a01 = Vector256.FusedMultiplyAdd(w, v1, a01);
                a02 = Vector256.FusedMultiplyAdd(w, v2, a02);
                a03 = Vector256.FusedMultiplyAdd(w, v3, a03);
                w = Vector256.Create(p[padded + j]);
                a10 = Vector256.FusedMultiplyAdd(w, v0, a10);
                a11 = Vector256.FusedMultiplyAdd(w, v1, a11);
                a12 = Vector256.FusedMultiplyAdd(w, v2, a12);
                a13 = Vector256.FusedMultiplyAdd(w, v3, a13);
                w = Vector256.Create(p[2 * padded + j]);
                a20 = Vector256.FusedMultiplyAdd(w, v0, a20);
                a21 = Vector256.FusedMultiplyAdd(w, v1, a21);
                a22 = Vector256.FusedMultiplyAdd(w, v2, a22);
                a23 = Vector256.FusedMultiplyAdd(w, v3, a23);
                w = Vector256.Create(p[3 * padded + j]);
                a30 = Vector256.FusedMultiplyAdd(w, v0, a30);
                a31 = Vector256.FusedMultiplyAdd(w, v1, a31);
                a32 = Vector256.FusedMultiplyAdd(w, v2, a32);
                a33 = Vector256.FusedMultiplyAdd(w, v3, a33);
            }

            Store4(output + d, a00, a01, a02, a03, inverse[0]);
            Store4(output + outputStride + d, a10, a11, a12, a13, inverse[1]);
            Store4(output + 2 * outputStride + d, a20, a21, a22, a23, inverse[2]);
            Store4(output + 3 * outputStride + d, a30, a31, a32, a33, inverse[3]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4(float* target, Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3, float scale)
    {
        var s = Vector256.Create(scale);
        (a0 * s).Store(target);
        (a1 * s).Store(target + 8);
        (a2 * s).Store(target + 16);
        (a3 * s).Store(target + 24);
    }

    // One query: output[0..headSize) = inverse · Σ_j p[j] · v_j.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightedValues1(float* p, int length, float* values, int stride, int headSize, float inverse, float* output)
    {
        for (var d = 0; d < headSize; d += 8)
        {
            Vector256<float> a0 = default;
            var v = values + d;
            for (var j = 0; j < length; j++, v += stride)
            {
                a0 = Vector256.FusedMultiplyAdd(Vector256.Create(p[j]), Vector256.Load(v), a0);
            }

            (a0 * inverse).Store(output + d);
        }
    }
}
