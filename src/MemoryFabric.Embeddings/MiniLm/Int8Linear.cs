using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>The instruction set an <see cref="Int8Linear"/> layer's micro-kernel uses.</summary>
internal enum Int8KernelKind
{
    /// <summary>AVX-VNNI <c>vpdpbusd</c>: 8 lanes × 4 u8·s8 products accumulated into int32 per instruction; weight
    /// codes up to ±127.</summary>
    AvxVnni,

    /// <summary>AVX2 <c>vpmaddubsw</c> (u8·s8 pairs into int16, saturating) then <c>vpmaddwd</c> into int32. The int16
    /// sums must never saturate, and the vector multiply port (one per core on Zen 3, shared by both instructions) is
    /// the limit, so several 4-input steps are summed in int16 before each widening: codes within ±8 (4-bit models)
    /// sum a whole 32-input block with u8 activations (8 · 2 · 255 · 8 = 32640); wider codes, at most ±32, sum four
    /// steps with activations quantized to 7 bits (4 · 2 · 127 · 32 = 32512). See <see cref="Int8Linear.Avx2Plan"/>.</summary>
    Avx2,
}

/// <summary>
/// A dense layer on block-quantized weights in 8-bit integer arithmetic: with AVX-VNNI where the CPU has it
/// (<c>vpdpbusd</c>: 8 lanes × 4 u8·s8 products per instruction, about twice the multiply-accumulate rate of
/// fp32 AVX-512 FMA on this class of CPU), else with AVX2 (<see cref="Int8KernelKind.Avx2"/>).
/// <para>Weights stay exact: the signed 4-bit codes (q − zero point) are packed as int8 into panels of
/// <see cref="ColumnTile"/> columns, four consecutive inputs per 32-bit lane, the layout the micro-kernel streams,
/// with each 32-input block's fp32 scale beside them. (Re-quantizing them to one int8 scale per column was
/// tried: it alone cost 0.0004 of mean cosine, more than all the activation rounding.)</para>
/// <para>Activations: each row is quantized asymmetrically to u8 (7 bits for the AVX2 kernel on codes wider than ±16,
/// see <see cref="Avx2Plan"/>) with its own scale and zero point (dynamic, per call), so a row's result never depends
/// on the other rows of the batch. BERT's residual stream has a few
/// "massive activation" channels (10–30× the typical range, the same channels for every input); on a shared
/// per-row scale they would cost most of the 8 bits. Up to <see cref="MaxOutliers"/> such channels per layer
/// (found once at load by a calibration pass, see <see cref="MiniLmEncoder"/>) are zero in the quantized row and
/// added back exactly, in fp32, in the epilogue.</para>
/// <para>Kernel: a <see cref="RowTile"/> × <see cref="ColumnTile"/> tile; per 32-input block, 8 int32
/// accumulators collect Σ u·q, then are converted and accumulated in fp32 with the block's weight scales
/// (F = Σ_b s_b·Σ u·q). Epilogue: y = s_x·(F − z_x·C) + b + Σ_o x_o·W_o (+ residual), C = Σ_b s_b·Σ q precomputed.
/// Loops run over row blocks, then column panels (a panel stays in L1 while the row block's rows stream).
/// Measured with other work on the machine: ≈150 GMAC/s single-threaded on a Sapphire Rapids core, against
/// ≈95 peak for fp32 AVX-512 FMA.</para>
/// </summary>
internal sealed unsafe class Int8Linear : ILinearLayer
{
    /// <summary>Rows per micro-tile.</summary>
    public const int RowTile = 2;

    /// <summary>Columns per packed panel (four 8-lane vectors).</summary>
    public const int ColumnTile = 32;

    /// <summary>Inputs per scale block in the kernel.</summary>
    public const int KernelBlock = 32;

    /// <summary>The most outlier channels a layer adds back in fp32.</summary>
    public const int MaxOutliers = 4;

    private const int RowBlock = 64;

    private readonly Int8KernelKind _kind;
    private readonly int _group;
    private readonly int _levels;
    private readonly PinnedBuffer<sbyte> _packed;
    private readonly PinnedBuffer<float> _blockScales;
    private readonly PinnedBuffer<float> _columnConstant;
    private readonly PinnedBuffer<float> _bias;
    private int[] _outliers = [];
    private PinnedBuffer<float> _outlierWeights = new(0);
    private DenseWeights? _source;

    /// <summary>Packs a layer.</summary>
    /// <param name="weights">The layer; see <see cref="CanPack"/>.</param>
    /// <param name="outlierChannels">Input channels added back in fp32 (at most <see cref="MaxOutliers"/>); when
    /// null, they can be set once by <see cref="SetOutliers"/> (the source weights are kept until then).</param>
    /// <param name="kind">The micro-kernel; by default the best this CPU runs (<see cref="BestKind"/>).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Int8Linear(DenseWeights weights, IReadOnlyCollection<int>? outlierChannels = null, Int8KernelKind? kind = null)
    {
        _kind = kind ?? BestKind ?? throw new PlatformNotSupportedException("The int8 kernel needs AVX2 and FMA.");
        if (!IsKindSupported(_kind))
        {
            throw new PlatformNotSupportedException($"This CPU does not run the {_kind} int8 kernel.");
        }

        if (!CanPack(weights, _kind))
        {
            throw new ArgumentException(
                $"Int8Linear ({_kind}) needs block-quantized weights with K, N, block size multiples of 32 and codes within ±{MaxCode(_kind)}, got {weights.K}×{weights.N}.",
                nameof(weights));
        }

        (_levels, _group) = _kind == Int8KernelKind.Avx2 ? Avx2Plan(MaxAbsCode(weights.Blocks!.Codes)) : (255, 1);
        Debug.Assert(_kind != Int8KernelKind.Avx2 || _group >= 4, "CanPack admits only codes the AVX2 kernel sums four steps at a time.");

        var k = weights.K;
        var n = weights.N;
        var blocks = weights.Blocks!;
        InputSize = k;
        OutputSize = n;
        var kernelBlocks = k / KernelBlock;
        var modelBlocks = k / blocks.BlockSize;
        _packed = new PinnedBuffer<sbyte>(k * n);
        _blockScales = new PinnedBuffer<float>(kernelBlocks * n);
        _columnConstant = new PinnedBuffer<float>(n);
        _bias = PinnedBuffer<float>.From(weights.Bias);
        for (var col = 0; col < n; col++)
        {
            var codes = blocks.Codes.AsSpan(col * k, k);
            var lane = col % ColumnTile;
            var panel = _packed.Pointer + (nint)(col / ColumnTile) * ColumnTile * k;
            var scales = _blockScales.Pointer + (nint)(col / ColumnTile) * ColumnTile * kernelBlocks;
            var constant = 0f;
            for (var b = 0; b < kernelBlocks; b++)
            {
                var scale = blocks.Scales[col * modelBlocks + b * KernelBlock / blocks.BlockSize];
                scales[b * ColumnTile + lane] = scale;
                var sum = 0;
                for (var i = b * KernelBlock; i < (b + 1) * KernelBlock; i++)
                {
                    panel[(i / 4) * ColumnTile * 4 + lane * 4 + (i % 4)] = codes[i];
                    sum += codes[i];
                }

                constant += scale * sum;
            }

            _columnConstant.Pointer[col] = constant;
        }

        _source = weights;
        if (outlierChannels is not null)
        {
            SetOutliers(outlierChannels);
        }
    }

    /// <summary>Sets the input channels added back in fp32, once, before the layer is shared, and drops the
    /// weights the layer was built from.</summary>
    /// <param name="channels">At most <see cref="MaxOutliers"/> channels in [0, K).</param>
    public void SetOutliers(IReadOnlyCollection<int> channels)
    {
        var source = _source ?? throw new InvalidOperationException("The outlier channels are already set.");
        var outliers = channels.Distinct().Order().ToArray();
        if (outliers.Length > MaxOutliers || outliers.Any(c => (uint)c >= (uint)InputSize))
        {
            throw new ArgumentException($"At most {MaxOutliers} outlier channels within [0, {InputSize}).", nameof(channels));
        }

        var n = OutputSize;
        var table = new PinnedBuffer<float>(outliers.Length * n);
        for (var j = 0; j < outliers.Length; j++)
        {
            for (var col = 0; col < n; col++)
            {
                table.Pointer[j * n + col] = source.Weight(col, outliers[j]);
            }
        }

        _outlierWeights = table;
        _outliers = outliers;
        _source = null;
    }

    /// <summary>Whether this CPU runs an int8 kernel (AVX-VNNI, or AVX2).</summary>
    public static bool IsSupported => BestKind is not null;

    /// <summary>The fastest micro-kernel this CPU runs, or null when it runs none.</summary>
    public static Int8KernelKind? BestKind =>
        IsKindSupported(Int8KernelKind.AvxVnni) ? Int8KernelKind.AvxVnni
        : IsKindSupported(Int8KernelKind.Avx2) ? Int8KernelKind.Avx2
        : null;

    /// <summary>The largest |weight code| the best kernel of this CPU takes (127 when it runs none).</summary>
    public static int MaxWeightCode => BestKind is { } kind ? MaxCode(kind) : 127;

    /// <summary>The micro-kernel this layer runs.</summary>
    public Int8KernelKind Kind => _kind;

    /// <summary>Whether this CPU runs <paramref name="kind"/>.</summary>
    public static bool IsKindSupported(Int8KernelKind kind) => kind switch
    {
        Int8KernelKind.AvxVnni => AvxVnni.IsSupported && Avx2.IsSupported && Fma.IsSupported,
        Int8KernelKind.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        _ => false,
    };

    /// <summary>The largest |weight code| <paramref name="kind"/> takes without saturating.</summary>
    public static int MaxCode(Int8KernelKind kind) => kind == Int8KernelKind.AvxVnni ? 127 : 32;

    /// <inheritdoc />
    public int InputSize { get; }

    /// <inheritdoc />
    public int OutputSize { get; }

    /// <summary>The channels added back in fp32.</summary>
    public IReadOnlyList<int> OutlierChannels => _outliers;

    /// <summary>Whether a layer has the exact block-quantized form a kernel needs (by default this CPU's best).</summary>
    public static bool CanPack(DenseWeights weights, Int8KernelKind? kind = null) =>
        weights.Blocks is { } b && weights.K % KernelBlock == 0 && weights.N % ColumnTile == 0 && b.BlockSize % KernelBlock == 0
        && weights.K % b.BlockSize == 0
        && MaxAbsCode(b.Codes) <= (kind is { } k ? MaxCode(k) : MaxWeightCode);

    private static int MaxAbsCode(ReadOnlySpan<sbyte> codes)
    {
        var min = codes.IsEmpty ? (sbyte)0 : TensorPrimitives.Min(codes);
        var max = codes.IsEmpty ? (sbyte)0 : TensorPrimitives.Max(codes);
        return Math.Max(-min, (int)max);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(float* x, int rows, float* y, float* residual, LinearEpilogue epilogue, LinearScratch scratch)
    {
        var k = InputSize;
        var n = OutputSize;
        var quantized = scratch.Quantized.Pointer;
        var outlierValues = scratch.OutlierValues.Pointer;
        var paddedRows = (rows + RowTile - 1) / RowTile * RowTile;
        var outliers = _outliers;
        for (var r = 0; r < rows; r++)
        {
            // The outlier channels are kept aside in fp32 and zeroed (then restored) so the row's range and its
            // quantized values ignore them.
            var row = x + (nint)r * k;
            var values = outlierValues + r * MaxOutliers;
            for (var j = 0; j < outliers.Length; j++)
            {
                values[j] = row[outliers[j]];
                row[outliers[j]] = 0f;
            }

            QuantizeRow(row, k, quantized + (nint)r * k, _levels, out scratch.RowScale.Pointer[r], out scratch.RowZero.Pointer[r]);
            for (var j = 0; j < outliers.Length; j++)
            {
                row[outliers[j]] = values[j];
            }
        }

        if (paddedRows > rows)
        {
            new Span<byte>(quantized + (nint)rows * k, (paddedRows - rows) * k).Clear();
        }

        var kernelBlocks = k / KernelBlock;
        for (var m0 = 0; m0 < rows; m0 += RowBlock)
        {
            var m1 = Math.Min(m0 + RowBlock, rows);
            for (var p = 0; p < n; p += ColumnTile)
            {
                var panel = _packed.Pointer + (nint)p * k;
                var scales = _blockScales.Pointer + (nint)p * kernelBlocks;
                for (var m = m0; m < m1; m += RowTile)
                {
                    var validRows = Math.Min(RowTile, m1 - m);
                    var output = y + (nint)m * n + p;
                    var a = quantized + (nint)m * k;
                    Vector256<float> f00, f01, f02, f03, f10, f11, f12, f13;
                    if (_kind == Int8KernelKind.AvxVnni)
                    {
                        KernelVnni(a, k, panel, scales, kernelBlocks, out f00, out f01, out f02, out f03, out f10, out f11, out f12, out f13);
                    }
                    else if (_group == KernelBlock / 4)
                    {
                        KernelAvx2Blocks(a, k, panel, scales, kernelBlocks, out f00, out f01, out f02, out f03, out f10, out f11, out f12, out f13);
                    }
                    else
                    {
                        // (The second row of a tile past the last row is the zeroed padding.)
                        KernelAvx2Quads(a, panel, scales, kernelBlocks, out f00, out f01, out f02, out f03);
                        KernelAvx2Quads(a + k, panel, scales, kernelBlocks, out f10, out f11, out f12, out f13);
                    }

                    var res = epilogue == LinearEpilogue.Residual ? residual + (nint)m * n + p : null;
                    StoreRow(f00, f01, f02, f03, output, scratch.RowScale.Pointer[m], scratch.RowZero.Pointer[m], p, res, outlierValues + m * MaxOutliers, n);
                    if (validRows > 1)
                    {
                        StoreRow(f10, f11, f12, f13, output + n, scratch.RowScale.Pointer[m + 1], scratch.RowZero.Pointer[m + 1], p,
                            res == null ? null : res + n, outlierValues + (m + 1) * MaxOutliers, n);
                    }
                }
            }

            if (epilogue is LinearEpilogue.Gelu or LinearEpilogue.GeluTanh)
            {
                VectorMath.Gelu(new Span<float>(y + (nint)m0 * n, (m1 - m0) * n), epilogue == LinearEpilogue.GeluTanh);
            }
        }
    }

    /// <summary>Quantizes one row to [0, levels]: x ≈ scale · (q − zero), the range widened to include 0.</summary>
    /// <param name="x">The row.</param>
    /// <param name="k">Its length.</param>
    /// <param name="q">The codes written.</param>
    /// <param name="levels">The largest code: 255 (8 bits) or 127 (7 bits, for the AVX2 kernel's wide weights).</param>
    /// <param name="scale">The row's scale.</param>
    /// <param name="zero">The row's zero point.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void QuantizeRow(float* x, int k, byte* q, int levels, out float scale, out float zero)
    {
        MinMax(x, k, out var min, out var max);
        min = MathF.Min(min, 0f);
        max = MathF.Max(max, 0f);
        scale = (max - min) / levels;
        if (!(scale > 0) || !float.IsFinite(scale))
        {
            scale = 1f;
        }

        zero = MathF.Round(Math.Clamp(-min / scale, 0f, levels));
        var inv = 1f / scale;
        var i = 0;
        var vinv = Vector256.Create(inv);
        var vzero = Vector256.Create(zero);
        var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        var top = Vector256.Create((byte)levels);
        for (; i <= k - 32; i += 32)
        {
            // Round to nearest (the MXCSR default), then saturating packs to [0, 255], one lane fix-up and the cap at
            // levels (a rounding error must never take a code past what the kernel's int16 sums allow).
            var a = Avx.ConvertToVector256Int32(Vector256.FusedMultiplyAdd(Vector256.Load(x + i), vinv, vzero));
            var b = Avx.ConvertToVector256Int32(Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 8), vinv, vzero));
            var c = Avx.ConvertToVector256Int32(Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 16), vinv, vzero));
            var d = Avx.ConvertToVector256Int32(Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 24), vinv, vzero));
            var bytes = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(a, b), Avx2.PackSignedSaturate(c, d));
            Vector256.Min(Avx2.PermuteVar8x32(bytes.AsInt32(), order).AsByte(), top).Store(q + i);
        }

        for (; i < k; i++)
        {
            q[i] = (byte)Math.Clamp((int)MathF.Round(MathF.FusedMultiplyAdd(x[i], inv, zero)), 0, levels);
        }
    }

    // The smallest and largest value of a row in one pass (NaN is not expected: activations are finite).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MinMax(float* x, int k, out float min, out float max)
    {
        var i = 0;
        min = float.PositiveInfinity;
        max = float.NegativeInfinity;
        if (k >= 32)
        {
            var lo0 = Vector256.Load(x);
            var hi0 = lo0;
            var lo1 = Vector256.Load(x + 8);
            var hi1 = lo1;
            for (i = 16; i <= k - 16; i += 16)
            {
                var a = Vector256.Load(x + i);
                var b = Vector256.Load(x + i + 8);
                lo0 = Vector256.Min(lo0, a);
                hi0 = Vector256.Max(hi0, a);
                lo1 = Vector256.Min(lo1, b);
                hi1 = Vector256.Max(hi1, b);
            }

            var lo = Vector256.Min(lo0, lo1);
            var hi = Vector256.Max(hi0, hi1);
            for (var j = 0; j < 8; j++)
            {
                min = MathF.Min(min, lo.GetElement(j));
                max = MathF.Max(max, hi.GetElement(j));
            }
        }

        for (; i < k; i++)
        {
            min = MathF.Min(min, x[i]);
            max = MathF.Max(max, x[i]);
        }
    }

    // F = Σ_blocks s_b · Σ_{i in block} u·q for a 2 × 32 tile with AVX2, when a whole block's eight steps fit int16
    // (codes within ±8 with u8 activations): per step, u8·s8 pairs into int16 (vpmaddubsw) summed in int16; per
    // block, one widening (vpmaddwd with ones), conversion and scale.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KernelAvx2Blocks(
        byte* a, int k, sbyte* b, float* scales, int blocks,
        out Vector256<float> f00, out Vector256<float> f01, out Vector256<float> f02, out Vector256<float> f03,
        out Vector256<float> f10, out Vector256<float> f11, out Vector256<float> f12, out Vector256<float> f13)
    {
        f00 = f01 = f02 = f03 = f10 = f11 = f12 = f13 = Vector256<float>.Zero;
        var ones = Vector256.Create((short)1);
        var a0 = a;
        var a1 = a + k;
        for (var block = 0; block < blocks; block++)
        {
            Vector256<short> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector256<short> c10 = default, c11 = default, c12 = default, c13 = default;
            for (var step = 0; step < KernelBlock / 4; step++)
            {
                var b0 = Avx.LoadAlignedVector256(b);
                var b1 = Avx.LoadAlignedVector256(b + 32);
                var b2 = Avx.LoadAlignedVector256(b + 64);
                var b3 = Avx.LoadAlignedVector256(b + 96);
                b += 128;
                var x = Vector256.Create(*(int*)a0).AsByte();
                a0 += 4;
                c00 += Avx2.MultiplyAddAdjacent(x, b0);
                c01 += Avx2.MultiplyAddAdjacent(x, b1);
                c02 += Avx2.MultiplyAddAdjacent(x, b2);
                c03 += Avx2.MultiplyAddAdjacent(x, b3);
                x = Vector256.Create(*(int*)a1).AsByte();
                a1 += 4;
                c10 += Avx2.MultiplyAddAdjacent(x, b0);
                c11 += Avx2.MultiplyAddAdjacent(x, b1);
                c12 += Avx2.MultiplyAddAdjacent(x, b2);
                c13 += Avx2.MultiplyAddAdjacent(x, b3);
            }

            var s0 = Vector256.Load(scales);
            var s1 = Vector256.Load(scales + 8);
            var s2 = Vector256.Load(scales + 16);
            var s3 = Vector256.Load(scales + 24);
            scales += ColumnTile;
            f00 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Avx2.MultiplyAddAdjacent(c00, ones)), s0, f00);
            f01 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Avx2.MultiplyAddAdjacent(c01, ones)), s1, f01);
            f02 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Avx2.MultiplyAddAdjacent(c02, ones)), s2, f02);
            f03 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Avx2.MultiplyAddAdjacent(c03, ones)), s3, f03);
            f10 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Avx2.MultiplyAddAdjacent(c10, ones)), s0, f10);
            f11 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Avx2.MultiplyAddAdjacent(c11, ones)), s1, f11);
            f12 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Avx2.MultiplyAddAdjacent(c12, ones)), s2, f12);
            f13 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Avx2.MultiplyAddAdjacent(c13, ones)), s3, f13);
        }
    }

    // The same with four steps per int16 sum (codes within ±16 with u8 activations, or ±32 with 7-bit ones), for one
    // row: per four steps, each column vector's products are summed in int16 and widened once into int32 (vpmaddwd);
    // int32 is converted and scaled once per block. One row at a time keeps every value in a register (two rows
    // would share the weight loads, but the JIT then keeps those in registers too and spills); the loads are not
    // the limit here, the multiply port is: 5 instructions per 128 products, against 8 when every step is widened.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KernelAvx2Quads(
        byte* a, sbyte* b, float* scales, int blocks,
        out Vector256<float> f0, out Vector256<float> f1, out Vector256<float> f2, out Vector256<float> f3)
    {
        f0 = f1 = f2 = f3 = Vector256<float>.Zero;
        var ones = Vector256.Create((short)1);
        for (var block = 0; block < blocks; block++)
        {
            Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default;
            for (var quad = 0; quad < KernelBlock / 16; quad++)
            {
                var x0 = Vector256.Create(*(int*)a).AsByte();
                var x1 = Vector256.Create(*(int*)(a + 4)).AsByte();
                var x2 = Vector256.Create(*(int*)(a + 8)).AsByte();
                var x3 = Vector256.Create(*(int*)(a + 12)).AsByte();
                a += 16;
                c0 += Quad(x0, x1, x2, x3, b, ones);
                c1 += Quad(x0, x1, x2, x3, b + 32, ones);
                c2 += Quad(x0, x1, x2, x3, b + 64, ones);
                c3 += Quad(x0, x1, x2, x3, b + 96, ones);
                b += 512;
            }

            f0 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c0), Vector256.Load(scales), f0);
            f1 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c1), Vector256.Load(scales + 8), f1);
            f2 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c2), Vector256.Load(scales + 16), f2);
            f3 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c3), Vector256.Load(scales + 24), f3);
            scales += ColumnTile;
        }
    }

    // Four steps of one row against one column vector (the panel's steps are 128 bytes apart), widened to int32.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quad(Vector256<byte> x0, Vector256<byte> x1, Vector256<byte> x2, Vector256<byte> x3, sbyte* b, Vector256<short> ones) =>
        Avx2.MultiplyAddAdjacent(
            Avx2.MultiplyAddAdjacent(x0, Avx.LoadVector256(b)) + Avx2.MultiplyAddAdjacent(x1, Avx.LoadVector256(b + 128))
            + Avx2.MultiplyAddAdjacent(x2, Avx.LoadVector256(b + 256)) + Avx2.MultiplyAddAdjacent(x3, Avx.LoadVector256(b + 384)),
            ones);

    // How many 4-input steps the AVX2 kernel may sum in int16 for codes up to maxCode and activations up to levels:
    // the largest of 8, 4, 2 with steps · 2 · levels · maxCode ≤ 32767, else 1.
    internal static int GroupSteps(int maxCode, int levels)
    {
        for (var steps = KernelBlock / 4; steps > 1; steps /= 2)
        {
            if (steps * 2 * levels * maxCode <= short.MaxValue)
            {
                return steps;
            }
        }

        return 1;
    }

    /// <summary>The AVX2 kernel's activation levels and int16 group for a layer's widest code: u8 activations when at
    /// least four steps fit int16 with them, else 7-bit activations (four steps for codes within ±32). Measured on
    /// arctic-xs against ONNX Runtime fp32 (384 texts, min / mean cosine): ±32 codes with u8 activations and two-step
    /// groups 0.99942 / 0.99958; with 7-bit activations and four-step groups 0.99915 / 0.99948 and half the
    /// widenings; ±16 codes with u8 activations 0.99735.</summary>
    internal static (int Levels, int Group) Avx2Plan(int maxCode)
    {
        var group = GroupSteps(maxCode, 255);
        return group >= 4 ? (255, group) : (127, GroupSteps(maxCode, 127));
    }

    // F = Σ_blocks s_b · Σ_{i in block} u·q for a 2 × 32 tile, with AVX-VNNI.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KernelVnni(
        byte* a, int k, sbyte* b, float* scales, int blocks,
        out Vector256<float> f00, out Vector256<float> f01, out Vector256<float> f02, out Vector256<float> f03,
        out Vector256<float> f10, out Vector256<float> f11, out Vector256<float> f12, out Vector256<float> f13)
    {
        f00 = f01 = f02 = f03 = f10 = f11 = f12 = f13 = Vector256<float>.Zero;
        var a0 = a;
        var a1 = a + k;
        for (var block = 0; block < blocks; block++)
        {
            Vector256<int> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector256<int> c10 = default, c11 = default, c12 = default, c13 = default;
            for (var step = 0; step < KernelBlock / 4; step++)
            {
                var b0 = Avx.LoadAlignedVector256(b);
                var b1 = Avx.LoadAlignedVector256(b + 32);
                var b2 = Avx.LoadAlignedVector256(b + 64);
                var b3 = Avx.LoadAlignedVector256(b + 96);
                b += 128;
                var x = Vector256.Create(*(int*)a0).AsByte();
                a0 += 4;
                c00 = AvxVnni.MultiplyWideningAndAdd(c00, x, b0);
                c01 = AvxVnni.MultiplyWideningAndAdd(c01, x, b1);
                c02 = AvxVnni.MultiplyWideningAndAdd(c02, x, b2);
                c03 = AvxVnni.MultiplyWideningAndAdd(c03, x, b3);
                x = Vector256.Create(*(int*)a1).AsByte();
                a1 += 4;
                c10 = AvxVnni.MultiplyWideningAndAdd(c10, x, b0);
                c11 = AvxVnni.MultiplyWideningAndAdd(c11, x, b1);
                c12 = AvxVnni.MultiplyWideningAndAdd(c12, x, b2);
                c13 = AvxVnni.MultiplyWideningAndAdd(c13, x, b3);
            }

            var s0 = Vector256.Load(scales);
            var s1 = Vector256.Load(scales + 8);
            var s2 = Vector256.Load(scales + 16);
            var s3 = Vector256.Load(scales + 24);
            scales += ColumnTile;
            f00 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c00), s0, f00);
            f01 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c01), s1, f01);
            f02 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c02), s2, f02);
            f03 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c03), s3, f03);
            f10 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c10), s0, f10);
            f11 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c11), s1, f11);
            f12 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c12), s2, f12);
            f13 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c13), s3, f13);
        }
    }

    // y = s_x·(F − z_x·C) + b + Σ_o x_o·W_o (+ residual) for 32 columns of one row.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StoreRow(
        Vector256<float> f0, Vector256<float> f1, Vector256<float> f2, Vector256<float> f3,
        float* y, float rowScale, float rowZero, int column, float* residual, float* outlierValues, int n)
    {
        var constant = _columnConstant.Pointer + column;
        var bias = _bias.Pointer + column;
        var vs = Vector256.Create(rowScale);
        var vz = Vector256.Create(-rowZero);
        var o0 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(vz, Vector256.Load(constant), f0), vs, Vector256.Load(bias));
        var o1 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(vz, Vector256.Load(constant + 8), f1), vs, Vector256.Load(bias + 8));
        var o2 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(vz, Vector256.Load(constant + 16), f2), vs, Vector256.Load(bias + 16));
        var o3 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(vz, Vector256.Load(constant + 24), f3), vs, Vector256.Load(bias + 24));
        var w = _outlierWeights.Pointer + column;
        for (var j = 0; j < _outliers.Length; j++, w += n)
        {
            var v = Vector256.Create(outlierValues[j]);
            o0 = Vector256.FusedMultiplyAdd(v, Vector256.Load(w), o0);
            o1 = Vector256.FusedMultiplyAdd(v, Vector256.Load(w + 8), o1);
            o2 = Vector256.FusedMultiplyAdd(v, Vector256.Load(w + 16), o2);
            o3 = Vector256.FusedMultiplyAdd(v, Vector256.Load(w + 24), o3);
        }

        if (residual != null)
        {
            o0 += Vector256.Load(residual);
            o1 += Vector256.Load(residual + 8);
            o2 += Vector256.Load(residual + 16);
            o3 += Vector256.Load(residual + 24);
        }

        o0.Store(y);
        o1.Store(y + 8);
        o2.Store(y + 16);
        o3.Store(y + 24);
    }
}
