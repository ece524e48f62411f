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
            Assert.Equal(expected, Int8Kernels.DotBiased(pu, ps, length));
            if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
            {
                Assert.Equal(expected, Int8Kernels.DotAvx2(pu, ps, length));
            }

            if (System.Runtime.Intrinsics.X86.AvxVnni.IsSupported)
            {
                Assert.Equal(expected, Int8Kernels.DotVnni(pu, ps, length));
            }

            Assert.Equal(expectedSigned, Int8Kernels.DotSignedBiased(pa, ps, length));
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
