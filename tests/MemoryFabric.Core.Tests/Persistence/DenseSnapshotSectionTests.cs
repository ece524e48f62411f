using System.Numerics.Tensors;
using MemoryFabric.DenseChanges;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Persistence;

/// <summary>The snapshot's dense section: written as int8, read back undecoded, decoded by the index on first use.</summary>
public sealed class DenseSnapshotSectionTests
{
    private const int Dimensions = 384;

    private static TieredVectorIndex Index(float[][] vectors, int threshold = 20_000)
    {
        var index = new TieredVectorIndex(threshold, 64);
        for (var i = 0; i < vectors.Length; i++)
        {
            index.Upsert("k" + i, vectors[i]);
        }

        return index;
    }

    private static byte[] Write(TieredVectorIndex index, int dimensions = Dimensions)
    {
        var w = new PayloadWriter();
        DenseSnapshotSection.Write(w, index, dimensions);
        return w.ToArray();
    }

    private static (string[] Keys, EncodedVectors? Vectors) Read(byte[] bytes, int version = 3, int dimensions = Dimensions, bool keep = true)
    {
        var r = new PayloadReader(bytes, "test");
        var result = DenseSnapshotSection.Read(ref r, version, dimensions, keep);
        r.ExpectEnd();
        return result;
    }

    private static TieredVectorIndex Restore(byte[] bytes, int threshold = 20_000)
    {
        var index = new TieredVectorIndex(threshold, 64);
        index.LoadDeferred(Read(bytes).Vectors!);
        return index;
    }

    [Fact]
    public void Restored_vectors_keep_a_cosine_above_0_999_to_the_originals_in_a_quarter_of_the_bytes()
    {
        var vectors = VectorCodecTests.UnitVectors(1000, Dimensions, seed: 1);
        var bytes = Write(Index(vectors));

        var restored = Restore(bytes).Items.ToList();

        Assert.InRange(bytes.Length, 1000 * 388, (1000 * 388) + 6000); // keys, count and encoding byte besides the records
        Assert.Equal(vectors.Length, restored.Count);
        for (var i = 0; i < vectors.Length; i++)
        {
            Assert.Equal("k" + i, restored[i].Key);
            Assert.InRange(TensorPrimitives.CosineSimilarity(vectors[i], restored[i].Vector), 0.999, 1.0001);
        }
    }

    [Theory]
    [InlineData(20_000)] // exact search: the same floats
    [InlineData(500)]    // HNSW, which normalizes what it holds: the same directions and int8 codes
    public void Enumerating_restored_vectors_decodes_them_without_indexing_as_the_index_would_hold_them(int threshold)
    {
        var vectors = VectorCodecTests.UnitVectors(600, Dimensions, seed: 4);
        var restored = Restore(Write(Index(vectors)), threshold);
        var at = DateTimeOffset.UnixEpoch;

        var enumerated = restored.EnumerateVectors().ToList();

        Assert.NotNull(restored.Deferred); // still stored: nothing was indexed
        var indexed = restored.Items.ToList();
        Assert.Null(restored.Deferred);
        Assert.Equal(indexed.Select(i => i.Key), enumerated.Select(i => i.Key));
        for (var i = 0; i < indexed.Count; i++)
        {
            Assert.Equal(DenseVectorFingerprint.Compute(indexed[i].Vector, at), DenseVectorFingerprint.Compute(enumerated[i].Vector, at));
            if (threshold > vectors.Length)
            {
                Assert.Equal(indexed[i].Vector, enumerated[i].Vector);
            }
            else
            {
                Assert.InRange(TensorPrimitives.CosineSimilarity(indexed[i].Vector, enumerated[i].Vector), 0.99999, 1.00001);
            }
        }
    }

    [Theory]
    [InlineData(20_000)] // exact search
    [InlineData(500)]    // HNSW, built when the vectors are first needed
    public void Searches_over_restored_vectors_find_the_original_top_hits(int threshold)
    {
        var vectors = VectorCodecTests.UnitVectors(1000, Dimensions, seed: 2);
        var original = Index(vectors, threshold);
        var restored = Restore(Write(original), threshold);
        var noise = VectorCodecTests.UnitVectors(100, Dimensions, seed: 3);

        var overlap = 0;
        for (var q = 0; q < noise.Length; q++)
        {
            // A query near one stored vector, as a paraphrase is near its source.
            var query = new float[Dimensions];
            TensorPrimitives.Add(vectors[q * 7], noise[q], query);
            TensorPrimitives.Divide(query, TensorPrimitives.Norm(query), query);
            var a = original.Search(query, 10);
            var b = restored.Search(query, 10);

            Assert.Equal("k" + (q * 7), a[0].Key);
            Assert.Equal(a[0].Key, b[0].Key);
            Assert.InRange(Math.Abs(a[0].Score - b[0].Score), 0, 2e-3);
            overlap += a.Select(h => h.Key).Intersect(b.Select(h => h.Key)).Count();
        }

        Assert.True(restored.IsApproximate == (threshold <= 1000));
        Assert.InRange(overlap, 990, 1000); // of the top 10s, at most one hit in a hundred differs
    }

    [Fact]
    public void Count_dimension_and_membership_are_answered_before_anything_is_decoded()
    {
        var bytes = Write(Index(VectorCodecTests.UnitVectors(10, Dimensions, seed: 4)));
        var index = Restore(bytes);

        Assert.Equal(10, index.Count);
        Assert.Equal(Dimensions, index.Dimensions);
        Assert.True(index.Contains("k3"));
        Assert.False(index.Contains("k10"));
        Assert.False(index.IsApproximate);
        Assert.NotNull(index.Deferred);

        // A snapshot taken now writes the stored records back as they are.
        Assert.Equal(bytes, Write(index));
        Assert.NotNull(index.Deferred);

        index.Search(new float[Dimensions], 1); // an exact search scans the records: still nothing decoded
        Assert.NotNull(index.Deferred);

        _ = index.Items.Count();
        Assert.Null(index.Deferred);
        Assert.Equal(bytes, Write(index)); // decoded and encoded again: the same codes
    }

    [Fact]
    public void An_exact_search_over_the_stored_records_gives_the_decoded_index_s_hits_scores_and_order()
    {
        // Duplicates score alike: their order is the slots', which must be the decoded index's too.
        var vectors = VectorCodecTests.UnitVectors(300, Dimensions, seed: 6);
        vectors = [.. vectors, .. vectors.Take(40)];
        var bytes = Write(Index(vectors));
        var stored = Restore(bytes);
        var decoded = Restore(bytes);
        _ = decoded.Items.Count();

        foreach (var query in VectorCodecTests.UnitVectors(25, Dimensions, seed: 7).Concat(vectors.Take(5)))
        {
            foreach (var limit in new[] { 1, 10, 400 })
            {
                var a = decoded.Search(query, limit);
                var b = stored.Search(query, limit);
                Assert.Equal(a.Select(h => (h.Key, h.Score)), b.Select(h => (h.Key, h.Score)));
            }
        }

        Assert.NotNull(stored.Deferred);
        Assert.Empty(stored.Search(vectors[0], 0));
        Assert.Throws<InvalidOperationException>(() => stored.Search(new float[Dimensions + 1], 3));
    }

    [Fact]
    public void A_write_decodes_first_so_nothing_stored_is_lost()
    {
        var vectors = VectorCodecTests.UnitVectors(4, Dimensions, seed: 5);
        var added = Restore(Write(Index(vectors)));
        var removed = Restore(Write(Index(vectors)));
        var cleared = Restore(Write(Index(vectors)));

        added.Upsert("new", vectors[0]);
        removed.Remove("k1");
        cleared.Clear();

        Assert.Equal(["k0", "k1", "k2", "k3", "new"], added.Items.Select(i => i.Key));
        Assert.Equal(["k0", "k3", "k2"], removed.Items.Select(i => i.Key));
        Assert.Equal(0, cleared.Count);
        Assert.Empty(cleared.Items);
        Assert.Throws<InvalidOperationException>(() => added.LoadDeferred(Read(Write(Index(vectors))).Vectors!));
    }

    [Fact]
    public void A_vector_with_a_non_finite_component_keeps_its_block_in_float32()
    {
        var vectors = VectorCodecTests.UnitVectors(3, 8, seed: 6);
        vectors[1][2] = float.NaN;
        var bytes = Write(Index(vectors), dimensions: 8);

        var read = Read(bytes, dimensions: 8).Vectors!;

        Assert.Equal(VectorEncoding.Float32, read.Encoding);
        Assert.Equal(vectors, Enumerable.Range(0, 3).Select(read.Decode));
    }

    [Fact]
    public void The_version_2_layout_is_read_exactly()
    {
        var vectors = VectorCodecTests.UnitVectors(3, 8, seed: 8);
        var w = new PayloadWriter();
        w.WriteCount(3);
        for (var i = 0; i < 3; i++)
        {
            w.WriteRef("k" + i);
            w.WriteFloats(vectors[i]);
        }

        var (keys, read) = Read(w.ToArray(), version: 2, dimensions: 8);

        Assert.Equal(["k0", "k1", "k2"], keys);
        Assert.Equal(VectorEncoding.Float32, read!.Encoding);
        Assert.Equal(vectors, Enumerable.Range(0, 3).Select(read.Decode));

        // Written again (not decoded into an index first): int8, version 3's layout.
        var index = new TieredVectorIndex(20_000, 64);
        index.LoadDeferred(read);
        var rewritten = Read(Write(index, dimensions: 8), dimensions: 8).Vectors!;
        Assert.Equal(VectorEncoding.Int8, rewritten.Encoding);
        Assert.NotNull(index.Deferred);
    }

    [Fact]
    public void Vectors_of_another_embedder_are_skipped_and_only_their_keys_returned()
    {
        var bytes = Write(Index(VectorCodecTests.UnitVectors(5, Dimensions, seed: 9)));

        var (keys, vectors) = Read(bytes, keep: false); // Read checks that every byte was consumed

        Assert.Equal(5, keys.Length);
        Assert.Null(vectors);
    }

    [Fact]
    public void A_malformed_section_says_what_is_wrong()
    {
        var bytes = Write(Index(VectorCodecTests.UnitVectors(2, 4, seed: 10)), dimensions: 4);
        Assert.Equal(2, bytes[0]);   // count
        Assert.Equal(2, bytes[1]);   // int8

        Assert.Contains("unknown vector encoding 7", Error([2, 7, .. bytes[2..]]), StringComparison.Ordinal);
        Assert.Contains("do not fit", Error([3, .. bytes[1..]]), StringComparison.Ordinal);
        Assert.Contains("without a dimension", Error(bytes, dimensions: 0), StringComparison.Ordinal);
        Assert.Contains("out of range", Error(bytes, dimensions: 1 << 21), StringComparison.Ordinal);

        var nan = (byte[])bytes.Clone();
        var record = bytes.Length - 8; // the second record: a scale, then 4 codes
        BitConverter.GetBytes(float.NaN).CopyTo(nan, record);
        Assert.Contains("invalid scale", Error(nan), StringComparison.Ordinal);

        static string Error(byte[] data, int dimensions = 4) =>
            Assert.Throws<InvalidDataException>(() =>
            {
                var r = new PayloadReader(data, "test");
                DenseSnapshotSection.Read(ref r, 3, dimensions, keep: true);
            }).Message;
    }
}
