using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>
/// The fp32 dense layer, used on CPUs without AVX2, when <see cref="EncoderKernel.Float32"/> is asked for, and as the
/// exact reference (it matches ONNX Runtime's fp32 result to rounding). The weights are the model's 4-bit blocks dequantized to fp32.
/// <para>On x64 with AVX-512 (or AVX2 + FMA) it is a register-tiled GEMM: the weights are packed once into panels
/// of <c>NR</c> columns ([K][NR], 32 columns = 2 zmm, or 16 = 2 ymm), each block of activation rows is packed into
/// micro-panels of <c>MR</c> rows ([K][MR]), and the micro-kernel keeps an MR × NR tile of accumulators in
/// registers (12 × 32 with AVX-512, 6 × 16 with AVX2) while streaming one broadcast and two weight vectors per
/// step. Elsewhere each output is a <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.</para>
/// <para>Every output element is the same FMA chain over k whatever the batch, so rows never depend on each other.</para>
/// </summary>
internal sealed unsafe class FloatLinear : ILinearLayer
{
    private const int RowBlock = 48;

    private readonly float[]? _weights;
    private readonly float[] _bias;
    private readonly PinnedBuffer<float>? _packed;
    private readonly PinnedBuffer<float> _pinnedBias;
    private readonly int _mr;
    private readonly int _nr;

    /// <summary>Wraps (and on x64 packs) a layer's fp32 weights.</summary>
    public FloatLinear(DenseWeights weights)
    {
        InputSize = weights.K;
        OutputSize = weights.N;
        _bias = weights.Bias;
        _pinnedBias = PinnedBuffer<float>.From(weights.Bias);
        (_mr, _nr) = Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? (12, 32)
            : Avx2.IsSupported && Fma.IsSupported ? (6, 16)
            : (0, 0);
        if (_nr == 0 || weights.N % _nr != 0)
        {
            _mr = _nr = 0;
            _weights = weights.Weights;   // the portable path reads them as they are
            return;
        }

        var k = weights.K;
        _packed = new PinnedBuffer<float>(k * weights.N);
        for (var col = 0; col < weights.N; col++)
        {
            var panel = _packed.Pointer + (nint)(col / _nr) * _nr * k;
            var lane = col % _nr;
            var source = weights.Weights.AsSpan(col * k, k);
            for (var i = 0; i < k; i++)
            {
                panel[i * _nr + lane] = source[i];
            }
        }
    }

    /// <inheritdoc />
    public int InputSize { get; }

    /// <inheritdoc />
    public int OutputSize { get; }

    /// <summary>The scratch floats a forward pass needs for its packed activation rows.</summary>
    public static int ScratchSize(int maxInput) => (RowBlock + 12) * maxInput;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(float* x, int rows, float* y, float* residual, LinearEpilogue epilogue, LinearScratch scratch)
    {
        if (_packed is null)
        {
            ForwardPortable(x, rows, y, residual, epilogue);
            return;
        }

        var k = InputSize;
        var n = OutputSize;
        var packedRows = scratch.PackedRows.Pointer;
        var rowBlock = RowBlock / _mr * _mr;
        for (var m0 = 0; m0 < rows; m0 += rowBlock)
        {
            var m1 = Math.Min(m0 + rowBlock, rows);
            PackRows(x + (nint)m0 * k, m1 - m0, k, _mr, packedRows);
            for (var p = 0; p < n; p += _nr)
            {
                var panel = _packed.Pointer + (nint)p * k;
                for (var m = m0; m < m1; m += _mr)
                {
                    var a = packedRows + (nint)(m - m0) * k;
                    var res = epilogue == LinearEpilogue.Residual ? residual + (nint)m * n + p : null;
                    if (_nr == 32)
                    {
                        Kernel12x32(a, panel, k, y + (nint)m * n + p, n, Math.Min(_mr, m1 - m), _pinnedBias.Pointer + p, res);
                    }
                    else
                    {
                        Kernel6x16(a, panel, k, y + (nint)m * n + p, n, Math.Min(_mr, m1 - m), _pinnedBias.Pointer + p, res);
                    }
                }
            }

            if (epilogue is LinearEpilogue.Gelu or LinearEpilogue.GeluTanh)
            {
                VectorMath.Gelu(new Span<float>(y + (nint)m0 * n, (m1 - m0) * n), epilogue == LinearEpilogue.GeluTanh);
            }
        }
    }

    // Rows [0, count) of x into micro-panels of mr rows, [k][mr] each; missing rows of the last one are zero.
    private static void PackRows(float* x, int count, int k, int mr, float* packed)
    {
        for (var m = 0; m < count; m += mr)
        {
            var target = packed + (nint)m * k;
            for (var r = 0; r < mr; r++)
            {
                if (m + r < count)
                {
                    var source = x + (nint)(m + r) * k;
                    for (var i = 0; i < k; i++)
                    {
                        target[i * mr + r] = source[i];
                    }
                }
                else
                {
                    for (var i = 0; i < k; i++)
                    {
                        target[i * mr + r] = 0f;
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel12x32(float* a, float* b, int k, float* y, int ldy, int validRows, float* bias, float* residual)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (var i = 0; i < k; i++, a += 12, b += 32)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            x = Vector512.Create(a[8]);
            c80 = Vector512.FusedMultiplyAdd(x, b0, c80);
            c81 = Vector512.FusedMultiplyAdd(x, b1, c81);
            x = Vector512.Create(a[9]);
            c90 = Vector512.FusedMultiplyAdd(x, b0, c90);
            c91 = Vector512.FusedMultiplyAdd(x, b1, c91);
            x = Vector512.Create(a[10]);
            ca0 = Vector512.FusedMultiplyAdd(x, b0, ca0);
            ca1 = Vector512.FusedMultiplyAdd(x, b1, ca1);
            x = Vector512.Create(a[11]);
            cb0 = Vector512.FusedMultiplyAdd(x, b0, cb0);
            cb1 = Vector512.FusedMultiplyAdd(x, b1, cb1);
        }

        var d0 = Vector512.Load(bias);
        var d1 = Vector512.Load(bias + 16);
        Store512(y, 0, c00, c01, d0, d1, ldy, validRows, residual);
        Store512(y, 1, c10, c11, d0, d1, ldy, validRows, residual);
        Store512(y, 2, c20, c21, d0, d1, ldy, validRows, residual);
        Store512(y, 3, c30, c31, d0, d1, ldy, validRows, residual);
        Store512(y, 4, c40, c41, d0, d1, ldy, validRows, residual);
        Store512(y, 5, c50, c51, d0, d1, ldy, validRows, residual);
        Store512(y, 6, c60, c61, d0, d1, ldy, validRows, residual);
        Store512(y, 7, c70, c71, d0, d1, ldy, validRows, residual);
        Store512(y, 8, c80, c81, d0, d1, ldy, validRows, residual);
        Store512(y, 9, c90, c91, d0, d1, ldy, validRows, residual);
        Store512(y, 10, ca0, ca1, d0, d1, ldy, validRows, residual);
        Store512(y, 11, cb0, cb1, d0, d1, ldy, validRows, residual);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* y, int r, Vector512<float> c0, Vector512<float> c1, Vector512<float> d0, Vector512<float> d1, int ldy, int validRows, float* residual)
    {
        if (r >= validRows)
        {
            return;
        }

        var row = y + (nint)r * ldy;
        c0 += d0;
        c1 += d1;
        if (residual != null)
        {
            c0 += Vector512.Load(residual + (nint)r * ldy);
            c1 += Vector512.Load(residual + (nint)r * ldy + 16);
        }

        c0.Store(row);
        c1.Store(row + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(float* a, float* b, int k, float* y, int ldy, int validRows, float* bias, float* residual)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var i = 0; i < k; i++, a += 6, b += 16)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
        }

        var d0 = Vector256.Load(bias);
        var d1 = Vector256.Load(bias + 8);
        Store256(y, 0, c00, c01, d0, d1, ldy, validRows, residual);
        Store256(y, 1, c10, c11, d0, d1, ldy, validRows, residual);
        Store256(y, 2, c20, c21, d0, d1, ldy, validRows, residual);
        Store256(y, 3, c30, c31, d0, d1, ldy, validRows, residual);
        Store256(y, 4, c40, c41, d0, d1, ldy, validRows, residual);
        Store256(y, 5, c50, c51, d0, d1, ldy, validRows, residual);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* y, int r, Vector256<float> c0, Vector256<float> c1, Vector256<float> d0, Vector256<float> d1, int ldy, int validRows, float* residual)
    {
        if (r >= validRows)
        {
            return;
        }

        var row = y + (nint)r * ldy;
        c0 += d0;
        c1 += d1;
        if (residual != null)
        {
            c0 += Vector256.Load(residual + (nint)r * ldy);
            c1 += Vector256.Load(residual + (nint)r * ldy + 8);
        }

        c0.Store(row);
        c1.Store(row + 8);
    }

    private void ForwardPortable(float* x, int rows, float* y, float* residual, LinearEpilogue epilogue)
    {
        var k = InputSize;
        var n = OutputSize;
        var weights = _weights.AsSpan();   // set whenever this path is taken
        for (var r = 0; r < rows; r++)
        {
            var input = new ReadOnlySpan<float>(x + (nint)r * k, k);
            var output = new Span<float>(y + (nint)r * n, n);
            for (var col = 0; col < n; col++)
            {
                output[col] = TensorPrimitives.Dot(input, weights.Slice(col * k, k)) + _bias[col];
            }

            if (epilogue == LinearEpilogue.Residual)
            {
                TensorPrimitives.Add(output, new ReadOnlySpan<float>(residual + (nint)r * n, n), output);
            }
            else if (epilogue is LinearEpilogue.Gelu or LinearEpilogue.GeluTanh)
            {
                VectorMath.Gelu(output, epilogue == LinearEpilogue.GeluTanh);
            }
        }
    }
}
