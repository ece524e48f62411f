using MemoryFabric.VectorIndex.Hnsw;
using MemoryFabric.VectorIndex.Quantization;

namespace MemoryFabric.VectorIndex.Tests;

public sealed unsafe class Int8KernelTests
{
    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(384)]
    [InlineData(416)]
    public void All_paths_agree_with_the_scalar_reference(int length)
    {
        var random = new Random(length);
        var u = new byte[length];
        var s = new sbyte[length];
        var a = new sbyte[length];
        for (var i = 0; i < length; i++)
        {
            u[i] = (byte)random.Next(0, 256);
            s[i] = (sbyte)random.Next(-127, 128);
            a[i] = (sbyte)random.Next(-127, 128);
        }

        var expected = 0;
        var expectedSigned = 0;
        for (var i = 0; i < length; i++)
        {
            expected += u[i] * s[i];
            expectedSigned += (a[i] + 128) * s[i];
        }

        fixed (byte* pu = u)
        fixed (sbyte* ps = s)
        fixed (sbyte* pa = a)
        {
            Assert.Equal(expected, Int8Kernels.DotPortable(pu, ps, length));
            Assert.Equal(expectedSigned, Int8Kernels.DotSignedBiasedPortable(pa, ps, length));
            if (System.Runtime.Intrinsics.X86.AvxVnni.IsSupported)
            {
                Assert.Equal(expected, Int8Kernels.DotVnni(pu, ps, length));
            }

            Assert.Equal(expectedSigned, Int8Kernels.DotSignedBiased(pa, ps, length));
        }
    }

    [Theory]
    [InlineData(32, 1)]
    [InlineData(384, 2)]
    [InlineData(416, 3)]
    [InlineData(384, -1)] // every code at ±127
    public void The_plain_dot_products_of_the_graph_are_exact_on_every_path(int length, int seed)
    {
        var random = new Random(seed);
        var q = new sbyte[length];
        var a = new sbyte[length];
        var b = new sbyte[length];
        for (var i = 0; i < length; i++)
        {
            q[i] = seed < 0 ? (sbyte)(i % 2 == 0 ? 127 : -127) : (sbyte)random.Next(-127, 128);
            a[i] = seed < 0 ? (sbyte)-127 : (sbyte)random.Next(-127, 128);
            b[i] = seed < 0 ? (sbyte)(i % 3 == 0 ? -127 : 127) : (sbyte)random.Next(-127, 128);
        }

        var biasedQuery = q.Select(x => (byte)(x + 128)).ToArray();
        var biasB = 128 * b.Sum(x => (int)x);
        var queryDot = Enumerable.Range(0, length).Sum(i => q[i] * b[i]);
        var nodeDot = Enumerable.Range(0, length).Sum(i => a[i] * b[i]);
        fixed (byte* pq = biasedQuery)
        fixed (sbyte* pa = a)
        fixed (sbyte* pb = b)
        {
            Assert.Equal(queryDot, Int8Kernels.DotQuery(pq, pb, length, biasB));
            Assert.Equal(nodeDot, Int8Kernels.DotSigned(pa, pb, length, biasB));
            Assert.Equal(queryDot, Int8Kernels.DotPortable(pq, pb, length) - biasB);
            Assert.Equal(nodeDot, Int8Kernels.DotSignedBiasedPortable(pa, pb, length) - biasB);
            if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
            {
                Assert.Equal(queryDot, Int8Kernels.DotSignAvx2(pq, pb, length, unbias: true));
                Assert.Equal(nodeDot, Int8Kernels.DotSignAvx2((byte*)pa, pb, length, unbias: false));
            }
        }
    }

    [Theory]
    [InlineData(127, 127)]
    [InlineData(127, -127)]
    [InlineData(-127, 127)]
    [InlineData(-128, -127)]
    public void The_signed_kernels_are_exact_at_the_extremes(int left, int right)
    {
        const int length = 384;
        var a = Enumerable.Repeat((sbyte)left, length).ToArray();
        var b = Enumerable.Repeat((sbyte)right, length).ToArray();
        var expected = length * (left + 128) * right;
        fixed (sbyte* pa = a)
        fixed (sbyte* pb = b)
        {
            Assert.Equal(expected, Int8Kernels.DotSignedBiasedPortable(pa, pb, length));
            Assert.Equal(expected, Int8Kernels.DotSignedBiased(pa, pb, length));
        }
    }

    [Fact]
    public void Quantized_distances_approximate_the_dot_product()
    {
        var data = TestData.Random(50, 384, seed: 11);
        var index = new HnswIndex(384, 16, 100, 1);
        index.EnsureCapacity(data.Length);
        for (var i = 0; i < data.Length; i++)
        {
            index.SetVector(i, data[i]);
        }

        var context = index.CreateContext();
        index.SetQuery(context, data[0]);
        for (var i = 0; i < data.Length; i++)
        {
            var exact = TestData.Dot(data[0], data[i]);
            Assert.Equal(-exact, index.Distance(context, i), 0.01f);
            Assert.Equal(-exact, index.Distance(0, i), 0.01f);
        }
    }
}
