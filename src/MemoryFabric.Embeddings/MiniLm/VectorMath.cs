using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>
/// Element-wise kernels of the encoder: exact (erf) and tanh GELU, exp, LayerNorm and L2 normalization.
/// The erf is a faithfully rounded float approximation (two minimax polynomials split at |x| = 0.927734375,
/// the larger branch through exp; the algorithm ONNX Runtime's MLAS uses, max error about 1 ulp), vectorized
/// with <see cref="Vector512{T}"/> where hardware-accelerated, else <see cref="Vector256{T}"/>. The exponential
/// is a Cephes-style single-precision one (<see cref="Exp(Vector512{float})"/>), measured several times faster
/// here than the library's vector Exp.
/// </summary>
internal static class VectorMath
{
    private const float SplitBoundary = 0.927734375f;
    private const float InvSqrt2 = 0.70710678118654752f;

    /// <summary>Applies GELU in place: x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), or its tanh approximation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gelu(Span<float> values, bool tanh)
    {
        if (tanh)
        {
            GeluTanh(values);
            return;
        }

        ref var x = ref MemoryMarshal.GetReference(values);
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= values.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref x, (nuint)i);
                var half = v * 0.5f;
                Vector512.FusedMultiplyAdd(half, Erf(v * InvSqrt2), half).StoreUnsafe(ref x, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref x, (nuint)i);
                var half = v * 0.5f;
                Vector256.FusedMultiplyAdd(half, Erf(v * InvSqrt2), half).StoreUnsafe(ref x, (nuint)i);
            }
        }

        for (; i < values.Length; i++)
        {
            var v = Unsafe.Add(ref x, i);
            Unsafe.Add(ref x, i) = 0.5f * v * (1f + Erf(v * InvSqrt2));
        }
    }

    /// <summary>The error function of one float (the scalar form of the vector kernels).</summary>
    public static float Erf(float a)
    {
        var t = MathF.Abs(a);
        var s = a * a;
        float r;
        if (t > SplitBoundary)
        {
            r = MathF.FusedMultiplyAdd(-1.72853470e-5f, t, 3.83197126e-4f);
            var u = MathF.FusedMultiplyAdd(-3.88396438e-3f, t, 2.42546219e-2f);
            r = MathF.FusedMultiplyAdd(r, s, u);
            r = MathF.FusedMultiplyAdd(r, t, -1.06777877e-1f);
            r = MathF.FusedMultiplyAdd(r, t, -6.34846687e-1f);
            r = MathF.FusedMultiplyAdd(r, t, -1.28717512e-1f);
            r = MathF.FusedMultiplyAdd(r, t, -t);
            r = 1f - MathF.Exp(r);
            return MathF.CopySign(r, a);
        }

        r = -5.96761703e-4f;
        r = MathF.FusedMultiplyAdd(r, s, 4.99119423e-3f);
        r = MathF.FusedMultiplyAdd(r, s, -2.67681349e-2f);
        r = MathF.FusedMultiplyAdd(r, s, 1.12819925e-1f);
        r = MathF.FusedMultiplyAdd(r, s, -3.76125336e-1f);
        r = MathF.FusedMultiplyAdd(r, s, 1.28379166e-1f);
        return MathF.FusedMultiplyAdd(r, a, a);
    }

    /// <summary>The error function, 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Erf(Vector512<float> a)
    {
        var t = Vector512.Abs(a);
        var s = a * a;

        // |x| > 0.9277: 1 − exp(poly(|x|)), clamped so exp never overflows (erf is 1 to float precision past 4).
        var tc = Vector512.Min(t, Vector512.Create(4f));
        var r = Vector512.FusedMultiplyAdd(Vector512.Create(-1.72853470e-5f), tc, Vector512.Create(3.83197126e-4f));
        var u = Vector512.FusedMultiplyAdd(Vector512.Create(-3.88396438e-3f), tc, Vector512.Create(2.42546219e-2f));
        r = Vector512.FusedMultiplyAdd(r, tc * tc, u);
        r = Vector512.FusedMultiplyAdd(r, tc, Vector512.Create(-1.06777877e-1f));
        r = Vector512.FusedMultiplyAdd(r, tc, Vector512.Create(-6.34846687e-1f));
        r = Vector512.FusedMultiplyAdd(r, tc, Vector512.Create(-1.28717512e-1f));
        r = Vector512.FusedMultiplyAdd(r, tc, -tc);
        var big = Vector512.CopySign(Vector512<float>.One - Exp(r), a);

        // |x| ≤ 0.9277: x + x · poly(x²).
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(-5.96761703e-4f), s, Vector512.Create(4.99119423e-3f));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(-2.67681349e-2f));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(1.12819925e-1f));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(-3.76125336e-1f));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(1.28379166e-1f));
        var small = Vector512.FusedMultiplyAdd(p, a, a);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(t, Vector512.Create(SplitBoundary)), big, small);
    }

    /// <summary>
    /// e^x, 16 lanes: Cody-Waite reduction x = n·ln2 + r, |r| ≤ ln2/2, a degree-7 polynomial (Cephes' expf
    /// coefficients, about 1 ulp), and 2^n built in the exponent bits. Inputs are clamped to [−87.3, 88.7]
    /// (results below the normal range come out as ~1e-38 rather than denormals or 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-87.33654f)), Vector512.Create(88.72283f));
        var n = Vector512.Round(x * 1.44269504088896341f);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(1.9875691500e-4f), r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        var scale = ((Vector512.ConvertToInt32(n) + Vector512.Create(127)) << 23).AsSingle();
        return p * scale;
    }

    /// <summary>e^x, 8 lanes (see the 16-lane overload).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-87.33654f)), Vector256.Create(88.72283f));
        var n = Vector256.Round(x * 1.44269504088896341f);
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-0.693359375f), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(2.12194440e-4f), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(1.9875691500e-4f), r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201e-1f));
        p = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
        var scale = ((Vector256.ConvertToInt32(n) + Vector256.Create(127)) << 23).AsSingle();
        return p * scale;
    }

    /// <summary>The error function, 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Erf(Vector256<float> a)
    {
        var t = Vector256.Abs(a);
        var s = a * a;
        var tc = Vector256.Min(t, Vector256.Create(4f));
        var r = Vector256.FusedMultiplyAdd(Vector256.Create(-1.72853470e-5f), tc, Vector256.Create(3.83197126e-4f));
        var u = Vector256.FusedMultiplyAdd(Vector256.Create(-3.88396438e-3f), tc, Vector256.Create(2.42546219e-2f));
        r = Vector256.FusedMultiplyAdd(r, tc * tc, u);
        r = Vector256.FusedMultiplyAdd(r, tc, Vector256.Create(-1.06777877e-1f));
        r = Vector256.FusedMultiplyAdd(r, tc, Vector256.Create(-6.34846687e-1f));
        r = Vector256.FusedMultiplyAdd(r, tc, Vector256.Create(-1.28717512e-1f));
        r = Vector256.FusedMultiplyAdd(r, tc, -tc);
        var big = Vector256.CopySign(Vector256<float>.One - Exp(r), a);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(-5.96761703e-4f), s, Vector256.Create(4.99119423e-3f));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(-2.67681349e-2f));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(1.12819925e-1f));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(-3.76125336e-1f));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(1.28379166e-1f));
        var small = Vector256.FusedMultiplyAdd(p, a, a);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(t, Vector256.Create(SplitBoundary)), big, small);
    }

    // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³)))
    private static void GeluTanh(Span<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var x = values[i];
            values[i] = 0.5f * x * (1f + MathF.Tanh(0.7978845608f * (x + 0.044715f * x * x * x)));
        }
    }

    /// <summary>LayerNorm of one row in place: (x − mean) / sqrt(var + eps) · gamma + beta (two-pass variance).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LayerNorm(Span<float> row, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon)
    {
        var n = row.Length;
        if (!Vector256.IsHardwareAccelerated || n % 16 != 0 || gamma.Length < n || beta.Length < n)
        {
            var m = TensorPrimitives.Sum(row) / n;
            TensorPrimitives.Subtract(row, m, row);
            var v = TensorPrimitives.SumOfSquares(row) / n;
            TensorPrimitives.Multiply(row, 1f / MathF.Sqrt(v + epsilon), row);
            TensorPrimitives.FusedMultiplyAdd(row, gamma, beta, row);
            return;
        }

        ref var x = ref MemoryMarshal.GetReference(row);
        ref var g = ref MemoryMarshal.GetReference(gamma);
        ref var b = ref MemoryMarshal.GetReference(beta);
        Vector256<float> s0 = default, s1 = default;
        for (var i = 0; i < n; i += 16)
        {
            s0 += Vector256.LoadUnsafe(ref x, (nuint)i);
            s1 += Vector256.LoadUnsafe(ref x, (nuint)i + 8);
        }

        var mean = Vector256.Create(Vector256.Sum(s0 + s1) / n);
        s0 = s1 = default;
        for (var i = 0; i < n; i += 16)
        {
            var d0 = Vector256.LoadUnsafe(ref x, (nuint)i) - mean;
            var d1 = Vector256.LoadUnsafe(ref x, (nuint)i + 8) - mean;
            s0 = Vector256.FusedMultiplyAdd(d0, d0, s0);
            s1 = Vector256.FusedMultiplyAdd(d1, d1, s1);
        }

        var inverse = Vector256.Create(1f / MathF.Sqrt(Vector256.Sum(s0 + s1) / n + epsilon));
        for (var i = 0; i < n; i += 8)
        {
            var normalized = (Vector256.LoadUnsafe(ref x, (nuint)i) - mean) * inverse;
            Vector256.FusedMultiplyAdd(normalized, Vector256.LoadUnsafe(ref g, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i)).StoreUnsafe(ref x, (nuint)i);
        }
    }

    /// <summary>Scales a vector to unit L2 length (leaves an all-zero vector unchanged).</summary>
    public static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Multiply(vector, 1f / norm, vector);
        }
    }
}
