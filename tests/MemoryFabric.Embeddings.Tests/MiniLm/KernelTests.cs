using System.Runtime.Intrinsics;
using MemoryFabric.Embeddings.MiniLm;

namespace MemoryFabric.Embeddings.Tests.MiniLm;

/// <summary>The numeric kernels: erf, the int8 dense layers (each micro-kernel this CPU runs; the others' cases are
/// not generated) against fp32, attention invariants.</summary>
public sealed class KernelTests
{
    [Fact]
    public void Erf_is_accurate_to_float_precision()
    {
        var values = new float[2001];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = -5f + i * 0.005f;
        }

        var gelu = values.ToArray();
        VectorMath.Gelu(gelu, tanh: false);
        for (var i = 0; i < values.Length; i++)
        {
            var x = values[i];
            var reference = ReferenceErf(x);
            Assert.True(Math.Abs(VectorMath.Erf(x) - reference) < 3e-7, $"erf({x})");
            var expected = 0.5 * x * (1 + ReferenceErf(x / Math.Sqrt(2)));
            Assert.True(Math.Abs(gelu[i] - expected) < 2e-6, $"gelu({x}) = {gelu[i]}, expected {expected}");
        }
    }

    // Each int8 micro-kernel on the widest codes it takes and on 4-bit codes; the AVX2 kernel also on ±16, which
    // it sums four steps at a time.
    // Only the kernels this CPU runs: a missing CPU feature is not an install CI could add, and CI counts a skip as a
    // failure (the kernel by name: the enum is internal to the library).
    public static TheoryData<string, int> KernelsAndCodes
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var (kind, code) in new[] { (Int8KernelKind.AvxVnni, 8), (Int8KernelKind.AvxVnni, 127), (Int8KernelKind.Avx2, 8), (Int8KernelKind.Avx2, 16), (Int8KernelKind.Avx2, 32) })
            {
                if (Int8Linear.IsKindSupported(kind))
                {
                    data.Add(kind.ToString(), code);
                }
            }

            return data;
        }
    }

    public static TheoryData<string> Kernels
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var kind in Enum.GetValues<Int8KernelKind>().Where(Int8Linear.IsKindSupported))
            {
                data.Add(kind.ToString());
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(KernelsAndCodes))]
    public void The_int8_layer_matches_fp32_within_quantization_error(string kernel, int maxCode)
    {
        var kind = Enum.Parse<Int8KernelKind>(kernel);
        const int k = 384, n = 96, rows = 7;
        var random = new Random(7);
        var codes = new sbyte[n * k];
        var scales = new float[n * k / 32];
        var weights = new float[n * k];
        for (var i = 0; i < scales.Length; i++)
        {
            // Weights of the same magnitude whatever the code range.
            scales[i] = (0.01f + (float)random.NextDouble() * 0.05f) * 8 / maxCode;
        }

        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = (sbyte)random.Next(-maxCode, maxCode + 1);
            weights[i] = codes[i] * scales[i / 32];
        }

        var bias = Enumerable.Range(0, n).Select(i => (float)Math.Sin(i)).ToArray();
        var dense = new DenseWeights(k, n, weights, bias, new BlockQuantizedWeights(32, codes, scales));
        var input = new PinnedBuffer<float>(rows * k);
        for (var i = 0; i < input.Length; i++)
        {
            input.Span[i] = (float)(random.NextDouble() * 2 - 0.8);
        }

        input.Span[3 * k + 11] = 25f;   // an outlier channel
        var residual = new PinnedBuffer<float>(rows * n);
        residual.Span.Fill(0.5f);
        var exact = new PinnedBuffer<float>(rows * n);
        var quantized = new PinnedBuffer<float>(rows * n);
        var withOutlier = new PinnedBuffer<float>(rows * n);
        var scratch = new LinearScratch(rows, k);
        new FloatLinear(dense).Forward(input.Span, rows, exact.Span, residual.Span, LinearEpilogue.Residual, scratch);
        var layer = new Int8Linear(dense, kind: kind);
        Assert.Equal(kind, layer.Kind);
        var levels = kind == Int8KernelKind.Avx2 ? Int8Linear.Avx2Plan(maxCode).Levels : 255;
        layer.Forward(input.Span, rows, quantized.Span, residual.Span, LinearEpilogue.Residual, scratch);
        new Int8Linear(dense, [11], kind).Forward(input.Span, rows, withOutlier.Span, residual.Span, LinearEpilogue.Residual, scratch);

        for (var r = 0; r < rows; r++)
        {
            var e = exact.Span.Slice(r * n, n);
            // The outlier row loses resolution without outlier handling; 7-bit activations have twice the step.
            var step = 255f / levels;
            var limit = (r == 3 ? 0.5f : 0.05f) * step;
            for (var c = 0; c < n; c++)
            {
                Assert.InRange(quantized.Span[r * n + c] - e[c], -limit, limit);
                Assert.InRange(withOutlier.Span[r * n + c] - e[c], -0.05f * step, 0.05f * step);
            }
        }
    }

    // The worst case for the int16 sums of the AVX2 kernel: every activation quantizes to 255 (or 0 with the other
    // sign) and every code is the extreme the kernel takes. Saturation anywhere would be far off the exact sum.
    [Theory]
    [MemberData(nameof(KernelsAndCodes))]
    public void Extreme_codes_and_activations_do_not_saturate(string kernel, int maxCode)
    {
        var kind = Enum.Parse<Int8KernelKind>(kernel);
        const int k = 128, n = 32;
        foreach (var code in new[] { -maxCode, maxCode })
        {
            var codes = Enumerable.Repeat((sbyte)code, n * k).ToArray();
            var scales = Enumerable.Repeat(0.01f, n * k / 32).ToArray();
            var dense = new DenseWeights(k, n, [.. codes.Select(c => c * 0.01f)], new float[n], new BlockQuantizedWeights(32, codes, scales));
            var layer = new Int8Linear(dense, [], kind);
            foreach (var value in new[] { 1f, -1f })
            {
                // One zero keeps 0 inside the range, so the others land on the top code (value 1) or 0 (value −1).
                var input = new PinnedBuffer<float>(2 * k);
                input.Span.Fill(value);
                input.Span[0] = 0f;
                input.Span[k] = 0f;
                var output = new PinnedBuffer<float>(2 * n);
                layer.Forward(input.Span, 2, output.Span, default, LinearEpilogue.None, new LinearScratch(2, k));
                var expected = (k - 1) * value * code * 0.01f;
                Assert.All(output.Span.ToArray(), y => Assert.InRange(y, expected - Math.Abs(expected) * 1e-4f, expected + Math.Abs(expected) * 1e-4f));
            }
        }
    }

    [SkippableFact]
    public void Codes_beyond_what_a_kernel_takes_are_refused()
    {
        Skip.IfNot(Int8Linear.IsKindSupported(Int8KernelKind.Avx2), "this CPU does not run the AVX2 int8 kernel");
        const int k = 32, n = 32;
        var codes = new sbyte[n * k];
        codes[5] = (sbyte)(Int8Linear.MaxCode(Int8KernelKind.Avx2) + 1);
        var dense = new DenseWeights(k, n, null, new float[n], new BlockQuantizedWeights(32, codes, new float[n]));
        Assert.False(Int8Linear.CanPack(dense, Int8KernelKind.Avx2));
        Assert.True(Int8Linear.CanPack(dense, Int8KernelKind.AvxVnni));
        var error = Assert.Throws<ArgumentException>(() => new Int8Linear(dense, [], Int8KernelKind.Avx2));
        Assert.Contains("±32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_avx2_kernel_sums_as_many_steps_in_int16_as_codes_and_activations_allow()
    {
        Assert.Equal(8, Int8Linear.GroupSteps(8, 255));
        Assert.Equal(4, Int8Linear.GroupSteps(16, 255));
        Assert.Equal(2, Int8Linear.GroupSteps(32, 255));
        Assert.Equal(4, Int8Linear.GroupSteps(32, 127));
        Assert.Equal(1, Int8Linear.GroupSteps(64, 255));
        Assert.Equal((255, 8), Int8Linear.Avx2Plan(8));
        Assert.Equal((255, 4), Int8Linear.Avx2Plan(16));
        Assert.Equal((127, 4), Int8Linear.Avx2Plan(17));
        Assert.Equal((127, 4), Int8Linear.Avx2Plan(32));
        Assert.Equal(32, Int8Linear.MaxCode(Int8KernelKind.Avx2));
        Assert.Equal(127, Int8Linear.MaxCode(Int8KernelKind.AvxVnni));
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Int8_rows_do_not_depend_on_the_other_rows(string kernel)
    {
        var kind = Enum.Parse<Int8KernelKind>(kernel);
        const int k = 64, n = 32;
        var random = new Random(3);
        var codes = Enumerable.Range(0, n * k).Select(_ => (sbyte)random.Next(-8, 8)).ToArray();
        var scales = Enumerable.Range(0, n * k / 32).Select(_ => 0.02f).ToArray();
        var dense = new DenseWeights(k, n, [.. codes.Select((c, i) => c * scales[i / 32])], new float[n], new BlockQuantizedWeights(32, codes, scales));
        var layer = new Int8Linear(dense, kind: kind);
        var input = new PinnedBuffer<float>(5 * k);
        for (var i = 0; i < input.Length; i++)
        {
            input.Span[i] = (float)random.NextDouble() * (i < k ? 1 : 100);
        }

        var all = new PinnedBuffer<float>(5 * n);
        var one = new PinnedBuffer<float>(n);
        var scratch = new LinearScratch(5, k);
        layer.Forward(input.Span, 5, all.Span, default, LinearEpilogue.Gelu, scratch);
        layer.Forward(input.Span, 1, one.Span, default, LinearEpilogue.Gelu, scratch);
        Assert.Equal(one.Span.ToArray(), all.Span[..n].ToArray());
    }

    [Fact]
    public void Exp_is_accurate_to_a_few_ulp()
    {
        for (var x = -87f; x <= 88f; x += 0.01f)
        {
            var expected = Math.Exp(x);
            var v512 = VectorMath.Exp(Vector512.Create(x)).ToScalar();
            var v256 = VectorMath.Exp(Vector256.Create(x)).ToScalar();
            Assert.True(Math.Abs(v512 - expected) <= 4e-7 * expected, $"exp({x}) = {v512}, expected {expected}");
            Assert.Equal(v512, v256);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(50)]
    public void The_fp32_layer_matches_a_naive_product(int rows)
    {
        const int k = 96, n = 64;
        var random = new Random(rows);
        var weights = Enumerable.Range(0, n * k).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var bias = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        var input = Enumerable.Range(0, rows * k).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var residual = Enumerable.Range(0, rows * n).Select(_ => (float)random.NextDouble()).ToArray();
        var layer = new FloatLinear(new DenseWeights(k, n, weights, bias, null));
        var scratch = new LinearScratch(rows, k);
        var withResidual = new float[rows * n];
        var withGelu = new float[rows * n];
        layer.Forward(input, rows, withResidual, residual, LinearEpilogue.Residual, scratch);
        layer.Forward(input, rows, withGelu, default, LinearEpilogue.Gelu, scratch);
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < n; c++)
            {
                double dot = bias[c];
                for (var i = 0; i < k; i++)
                {
                    dot += (double)input[r * k + i] * weights[c * k + i];
                }

                Assert.Equal(dot + residual[r * n + c], withResidual[r * n + c], 1e-4);
                Assert.Equal(0.5 * dot * (1 + ReferenceErf(dot / Math.Sqrt(2))), withGelu[r * n + c], 1e-4);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(12)]
    [InlineData(33)]
    [InlineData(70)]
    public void Attention_matches_a_naive_softmax_attention(int length)
    {
        const int hidden = 64, heads = 2, head = 32;
        var random = new Random(length);
        var q = Enumerable.Range(0, length * 3 * hidden).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var output = new float[length * hidden];
        const float scale = 0.17677669f;
        Attention.Forward(q, length, output, hidden, heads, scale);

        for (var h = 0; h < heads; h++)
        {
            for (var i = 0; i < length; i++)
            {
                var scores = new double[length];
                for (var j = 0; j < length; j++)
                {
                    for (var d = 0; d < head; d++)
                    {
                        scores[j] += (double)q[i * 3 * hidden + h * head + d] * q[j * 3 * hidden + hidden + h * head + d];
                    }

                    scores[j] *= scale;
                }

                var max = scores.Max();
                var weights = scores.Select(v => Math.Exp(v - max)).ToArray();
                var sum = weights.Sum();
                for (var d = 0; d < head; d++)
                {
                    var expected = 0.0;
                    for (var j = 0; j < length; j++)
                    {
                        expected += weights[j] / sum * q[j * 3 * hidden + 2 * hidden + h * head + d];
                    }

                    Assert.Equal(expected, output[i * hidden + h * head + d], 1e-5);
                }
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(12, 1)]
    [InlineData(33, 1)]
    [InlineData(33, 5)]
    public void Attention_for_the_first_queries_only_matches_those_rows_of_the_full_attention(int length, int queries)
    {
        const int hidden = 64, heads = 2;
        const float scale = 0.17677669f;
        var random = new Random(length + queries);
        var qkv = Enumerable.Range(0, length * 3 * hidden).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var full = new float[length * hidden];
        Attention.Forward(qkv, length, full, hidden, heads, scale);
        var first = new float[length * hidden];
        Array.Fill(first, float.NaN);
        Attention.Forward(qkv, length, first, hidden, heads, scale, queries);

        for (var i = 0; i < queries * hidden; i++)
        {
            Assert.Equal(full[i], first[i], 1e-5);
        }

        Assert.All(first.Skip(queries * hidden), v => Assert.True(float.IsNaN(v), "a row past the queries was written"));
    }

    // erf by its Taylor series (|x| ≤ 3) and continued fraction for erfc beyond, in double.
    private static double ReferenceErf(double x)
    {
        var a = Math.Abs(x);
        double result;
        if (a <= 3)
        {
            double sum = 0, term = a;
            for (var n = 0; n < 200; n++)
            {
                sum += term / (2 * n + 1);
                term *= -a * a / (n + 1);
            }

            result = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            double f = 0;
            for (var n = 60; n >= 1; n--)
            {
                f = n / 2.0 / (a + f);
            }

            result = 1 - Math.Exp(-a * a) / Math.Sqrt(Math.PI) / (a + f);
        }

        return Math.CopySign(result, x);
    }
}
