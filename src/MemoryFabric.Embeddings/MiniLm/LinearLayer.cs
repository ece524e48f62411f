namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>What a linear layer applies after y = x·W + b.</summary>
internal enum LinearEpilogue
{
    /// <summary>Nothing more.</summary>
    None,

    /// <summary>Add a residual input of the output's shape.</summary>
    Residual,

    /// <summary>Exact (erf) GELU.</summary>
    Gelu,

    /// <summary>Tanh-approximated GELU.</summary>
    GeluTanh,
}

/// <summary>Per-thread scratch of the linear layers: quantized activations and their per-row parameters.</summary>
internal sealed unsafe class LinearScratch
{
    /// <summary>Allocates scratch for up to <paramref name="rows"/> rows of up to <paramref name="maxInput"/> inputs.</summary>
    public LinearScratch(int rows, int maxInput)
    {
        // Rows are rounded up to the micro-kernel's row count; the padding rows are zeros.
        var paddedRows = rows + Int8Linear.RowTile;
        Quantized = new PinnedBuffer<byte>(paddedRows * maxInput);
        RowScale = new PinnedBuffer<float>(paddedRows);
        RowZero = new PinnedBuffer<float>(paddedRows);
        OutlierValues = new PinnedBuffer<float>(paddedRows * Int8Linear.MaxOutliers);
        PackedRows = new PinnedBuffer<float>(FloatLinear.ScratchSize(maxInput));
        Rows = rows;
        MaxInput = maxInput;
    }

    /// <summary>The most rows a forward pass may have.</summary>
    public int Rows { get; }

    /// <summary>The largest input size.</summary>
    public int MaxInput { get; }

    /// <summary>Quantized activations (u8), row-major.</summary>
    public PinnedBuffer<byte> Quantized { get; }

    /// <summary>The quantization scale of each row.</summary>
    public PinnedBuffer<float> RowScale { get; }

    /// <summary>The zero point of each row, as a float.</summary>
    public PinnedBuffer<float> RowZero { get; }

    /// <summary>Activation rows packed for the fp32 micro-kernel.</summary>
    public PinnedBuffer<float> PackedRows { get; }

    /// <summary>The outlier channels' fp32 values, <see cref="Int8Linear.MaxOutliers"/> per row.</summary>
    public PinnedBuffer<float> OutlierValues { get; }
}

/// <summary>A dense layer y = x·W + b over rows of fp32 activations, with a fused epilogue.</summary>
internal interface ILinearLayer
{
    /// <summary>The input size K.</summary>
    int InputSize { get; }

    /// <summary>The output size N.</summary>
    int OutputSize { get; }

    /// <summary>Computes <paramref name="rows"/> output rows.</summary>
    /// <param name="x">The input, rows × K, row-major; left unchanged (an implementation may modify it during the
    /// call and restore it).</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="y">The output, rows × N, row-major (must not overlap the input).</param>
    /// <param name="residual">For <see cref="LinearEpilogue.Residual"/>: rows × N added to the output; else ignored.</param>
    /// <param name="epilogue">What to apply after the bias.</param>
    /// <param name="scratch">Per-thread scratch.</param>
    unsafe void Forward(float* x, int rows, float* y, float* residual, LinearEpilogue epilogue, LinearScratch scratch);
}

/// <summary>Span-based entry points of <see cref="ILinearLayer"/> (bounds-checked; the kernels take pointers).</summary>
internal static class LinearLayerExtensions
{
    /// <summary>Computes <paramref name="rows"/> output rows; see <see cref="ILinearLayer.Forward"/>. The input is
    /// writable because the int8 layer zeroes its outlier channels while quantizing (and restores them).</summary>
    public static unsafe void Forward(
        this ILinearLayer layer, Span<float> input, int rows, Span<float> output, ReadOnlySpan<float> residual, LinearEpilogue epilogue, LinearScratch scratch)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, scratch.Rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(layer.InputSize, scratch.MaxInput);
        if (input.Length < rows * layer.InputSize || output.Length < rows * layer.OutputSize
            || (epilogue == LinearEpilogue.Residual && residual.Length < rows * layer.OutputSize))
        {
            throw new ArgumentException("A buffer is smaller than rows × its width.");
        }

        fixed (float* x = input)
        fixed (float* y = output)
        fixed (float* r = residual)
        {
            layer.Forward(x, rows, y, r, epilogue, scratch);
        }
    }
}
