using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace MemoryFabric.VectorIndex.Quantization;

/// <summary>Per-vector quantization parameters stored beside the int8 codes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct QuantParams
{
    /// <summary>1 / scale: a code times this is the component's value.</summary>
    public float InvScale;

    /// <summary>128 · Σ codes, subtracted from a biased dot product (see <see cref="Int8Kernels"/>).</summary>
    public int Bias;
}

/// <summary>
/// Symmetric per-vector scalar quantization to int8: code = round(x · 127 / max|x|). For unit vectors in a few
/// hundred dimensions the error of an approximate dot product is about 1e-3, far below the gaps that matter for graph
/// traversal; the final ranking is recomputed from the float32 vectors.
/// </summary>
internal static class Int8Quantizer
{
    /// <summary>Quantizes a vector into a zero-padded row.</summary>
    /// <param name="vector">The vector.</param>
    /// <param name="codes">The row (padded length; the tail is zeroed).</param>
    /// <returns>The parameters.</returns>
    public static QuantParams Quantize(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        var max = TensorPrimitives.MaxMagnitude(vector);
        max = Math.Abs(max);
        codes.Clear();
        if (max == 0 || !float.IsFinite(max))
        {
            return new QuantParams { InvScale = 0, Bias = 0 };
        }

        var scale = 127f / max;
        var sum = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            var code = (int)MathF.Round(vector[i] * scale);
            code = Math.Clamp(code, -127, 127);
            codes[i] = (sbyte)code;
            sum += code;
        }

        return new QuantParams { InvScale = 1f / scale, Bias = 128 * sum };
    }

    /// <summary>The padded row length for a number of dimensions.</summary>
    /// <param name="dimensions">The dimensions.</param>
    /// <returns>The row length in bytes.</returns>
    public static int RowBytes(int dimensions) => (dimensions + Int8Kernels.RowAlignment - 1) / Int8Kernels.RowAlignment * Int8Kernels.RowAlignment;
}
