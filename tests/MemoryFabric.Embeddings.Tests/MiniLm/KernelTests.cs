using System.Runtime.Intrinsics;
using MemoryFabric.Embeddings.MiniLm;

namespace MemoryFabric.Embeddings.Tests.MiniLm;

/// <summary>The numeric kernels: erf, the int8 dense layer against fp32, attention invariants.</summary>
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

    [Fact]
    public void The_int8_layer_matches_fp32_within_quantization_error()
    {
        if (!Int8Linear.IsSupported)
        {
            return; // the fp32 layer is what runs on this CPU; nothing to compare
        }

        const int k = 384, n = 96, rows = 7;
        var random = new Random(7);
        var codes = new sbyte[n * k];
        var scales = new float[n * k / 32];
        var weights = new float[n * k];
        for (var i = 0; i < scales.Length; i++)
        {
            scales[i] = 0.01f + (float)random.NextDouble() * 0.05f;
        }

        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = (sbyte)random.Next(-8, 8);
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
        new Int8Linear(dense).Forward(input.Span, rows, quantized.Span, residual.Span, LinearEpilogue.Residual, scratch);
        new Int8Linear(dense, [11]).Forward(input.Span, rows, withOutlier.Span, residual.Span, LinearEpilogue.Residual, scratch);

        for (var r = 0; r < rows; r++)
        {
            var e = exact.Span.Slice(r * n, n);
            var limit = r == 3 ? 0.5f : 0.05f;    // the outlier row loses resolution without outlier handling
            for (var c = 0; c < n; c++)
            {
                Assert.InRange(quantized.Span[r * n + c] - e[c], -limit, limit);
                Assert.InRange(withOutlier.Span[r * n + c] - e[c], -0.05f, 0.05f);
            }
        }
    }

    [Fact]
    public void Int8_rows_do_not_depend_on_the_other_rows()
    {
        if (!Int8Linear.IsSupported)
        {
            return;
        }

        const int k = 64, n = 32;
        var random = new Random(3);
        var codes = Enumerable.Range(0, n * k).Select(_ => (sbyte)random.Next(-8, 8)).ToArray();
        var scales = Enumerable.Range(0, n * k / 32).Select(_ => 0.02f).ToArray();
        var dense = new DenseWeights(k, n, [.. codes.Select((c, i) => c * scales[i / 32])], new float[n], new BlockQuantizedWeights(32, codes, scales));
        var layer = new Int8Linear(dense);
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
