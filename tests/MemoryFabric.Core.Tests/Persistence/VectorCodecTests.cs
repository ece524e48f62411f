using System.Buffers.Binary;
using System.Numerics.Tensors;
using MemoryFabric.Persistence;

namespace MemoryFabric.Core.Tests.Persistence;

/// <summary>The snapshot's vector encodings: int8 with a per-vector scale, and float32 for what int8 cannot hold.</summary>
public sealed class VectorCodecTests
{
    // Dense unit vectors like a sentence encoder's (MiniLM: 384 dimensions), Gaussian components: the hard case for
    // int8, whose step is set by the largest component.
    internal static float[][] UnitVectors(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        var vectors = new float[count][];
        for (var i = 0; i < count; i++)
        {
            var v = new float[dimensions];
            for (var j = 0; j < dimensions; j++)
            {
                // Box-Muller
                v[j] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            }

            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
            vectors[i] = v;
        }

        return vectors;
    }

    private static float[] RoundTrip(VectorEncoding encoding, float[] vector)
    {
        var record = new byte[VectorCodec.RecordLength(encoding, vector.Length)];
        VectorCodec.Encode(encoding, vector, record);
        var decoded = new float[vector.Length];
        VectorCodec.Decode(encoding, record, decoded);
        return decoded;
    }

    [Theory]
    [InlineData(7)]   // shorter than one vector register's 16 codes
    [InlineData(100)] // 6 × 16 and a tail
    [InlineData(384)]
    [InlineData(1536)]
    public void Int8_keeps_the_cosine_of_unit_vectors_above_0_999(int dimensions)
    {
        var worst = 1.0;
        foreach (var vector in UnitVectors(200, dimensions, seed: dimensions))
        {
            worst = Math.Min(worst, TensorPrimitives.CosineSimilarity(vector, RoundTrip(VectorEncoding.Int8, vector)));
        }

        Assert.InRange(worst, 0.999, 1.0);
        Assert.Equal(4 + dimensions, VectorCodec.RecordLength(VectorEncoding.Int8, dimensions));
    }

    [Fact]
    public void Int8_stores_the_scale_and_the_largest_component_as_127()
    {
        float[] vector = [0.5f, -0.25f, 0.125f, -1f];
        var record = new byte[VectorCodec.RecordLength(VectorEncoding.Int8, 4)];

        VectorCodec.Encode(VectorEncoding.Int8, vector, record);

        Assert.Equal(1f / 127, BinaryPrimitives.ReadSingleLittleEndian(record));
        Assert.Equal(new sbyte[] { 64, -32, 16, -127 }, record[4..].Select(b => (sbyte)b));
        var decoded = new float[4];
        VectorCodec.Decode(VectorEncoding.Int8, record, decoded);
        Assert.Equal(-1f, decoded[3]);
        Assert.All(vector.Zip(decoded), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 0.51f / 127));
    }

    [Fact]
    public void The_vectorized_part_and_the_tail_encode_alike_ties_to_even()
    {
        // 16 components take the vector path, the 4 after them the scalar one: the same values, the same codes.
        float[] head = [0.5f, -0.25f, 0.125f, -1f, 0.3f, -0.7f, 0.01f, 0.99f, -0.5f, 0.25f, 0f, 0.6f, -0.125f, 0.75f, -0.05f, 0.2f];
        float[] vector = [.. head, .. head[..4]];
        var record = new byte[4 + vector.Length];

        VectorCodec.Encode(VectorEncoding.Int8, vector, record);

        var codes = record[4..].Select(b => (sbyte)b).ToArray();
        Assert.Equal(codes[..4], codes[16..]);
        Assert.Equal(64, codes[0]);   // 63.5: to even
        Assert.Equal(-64, codes[8]);  // -63.5: to even
        var decoded = new float[vector.Length];
        VectorCodec.Decode(VectorEncoding.Int8, record, decoded);
        Assert.Equal(decoded[..4], decoded[16..]);
    }

    [Fact]
    public void Encoding_what_int8_decoded_gives_the_same_codes_so_repeated_snapshots_do_not_drift()
    {
        foreach (var vector in UnitVectors(50, 384, seed: 7))
        {
            var first = new byte[388];
            VectorCodec.Encode(VectorEncoding.Int8, vector, first);
            var decoded = new float[384];
            VectorCodec.Decode(VectorEncoding.Int8, first, decoded);
            var second = new byte[388];
            VectorCodec.Encode(VectorEncoding.Int8, decoded, second);

            Assert.Equal(first, second);
        }
    }

    [Fact]
    public void A_zero_vector_round_trips_as_zeros()
    {
        Assert.All(RoundTrip(VectorEncoding.Int8, new float[8]), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void Float32_keeps_every_value_even_non_finite_ones()
    {
        float[] vector = [0.1f, float.NaN, float.PositiveInfinity, -0f, float.Epsilon, -3.4e38f];

        Assert.Equal(vector, RoundTrip(VectorEncoding.Float32, vector));
        Assert.Equal(24, VectorCodec.RecordLength(VectorEncoding.Float32, 6));
    }

    [Fact]
    public void Int8_is_chosen_unless_a_component_is_not_finite_which_it_refuses()
    {
        float[] finite = [0.6f, 0.8f];
        float[] nan = [0.6f, float.NaN];
        float[] infinite = [float.NegativeInfinity, 0f];

        Assert.Equal(VectorEncoding.Int8, VectorCodec.Choose([finite, finite]));
        Assert.Equal(VectorEncoding.Float32, VectorCodec.Choose([finite, nan]));
        Assert.Equal(VectorEncoding.Float32, VectorCodec.Choose([infinite]));
        Assert.Throws<ArgumentException>(() => VectorCodec.Encode(VectorEncoding.Int8, nan, new byte[6]));
        Assert.Throws<ArgumentException>(() => VectorCodec.Encode(VectorEncoding.Int8, infinite, new byte[6]));
    }

    [Fact]
    public void Records_of_the_wrong_length_and_invalid_scales_are_refused()
    {
        Assert.Throws<ArgumentException>(() => VectorCodec.Encode(VectorEncoding.Int8, new float[4], new byte[7]));
        Assert.Throws<ArgumentException>(() => VectorCodec.Decode(VectorEncoding.Float32, new byte[15], new float[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorCodec.RecordLength((VectorEncoding)9, 4));
        Assert.False(VectorCodec.IsKnown(0));
        Assert.False(VectorCodec.IsKnown(3));

        var record = new byte[8];
        foreach (var (scale, valid) in new[] { (0.01f, true), (0f, true), (-0.01f, false), (float.NaN, false), (float.PositiveInfinity, false) })
        {
            BinaryPrimitives.WriteSingleLittleEndian(record, scale);
            Assert.Equal(valid, VectorCodec.IsValid(VectorEncoding.Int8, record));
        }
    }
}
