using MemoryFabric.Retrieval;

namespace MemoryFabric.Persistence;

/// <summary>
/// The dense vectors of one index in an agent memory snapshot (<see cref="AgentMemory.CreateSnapshot"/>).
/// </summary>
/// <remarks>
/// <para>Format version 3: the number of vectors, then (when there are any) the encoding byte
/// (<see cref="VectorEncoding"/>: int8 unless a component is not finite), the keys (shared strings), and one
/// <see cref="VectorCodec"/> record per key, back to back. Versions 1 and 2: the number of vectors, then each key
/// followed by its raw float32 components.</para>
/// <para>Reading keeps the records undecoded (<see cref="EncodedVectors"/>, copied out of the snapshot in one
/// block): the index decodes them on first use. An index that is still undecoded when the next snapshot is taken
/// is written back without decoding.</para>
/// </remarks>
internal static class DenseSnapshotSection
{
    /// <summary>The first snapshot format version with this section's compact layout.</summary>
    public const int CompactVersion = 3;

    // Far beyond any embedding model, and small enough that no record length overflows.
    private const int MaxDimensions = 1 << 20;

    /// <summary>Writes an index's vectors.</summary>
    /// <param name="w">The snapshot writer.</param>
    /// <param name="index">The index.</param>
    /// <param name="dimensions">The dimension every vector must have.</param>
    /// <exception cref="InvalidOperationException">A vector has another dimension.</exception>
    public static void Write(PayloadWriter w, TieredVectorIndex index, int dimensions)
    {
        if (index.Deferred is { Encoding: VectorEncoding.Int8 } stored && stored.Dimensions == dimensions)
        {
            w.WriteCount(stored.Count);
            w.WriteByte((byte)VectorEncoding.Int8);
            foreach (var key in stored.Keys)
            {
                w.WriteRef(key);
            }

            w.WriteBytes(stored.Records);
            return;
        }

        var items = index.Deferred is { } deferred
            ? deferred.Keys.Select((key, i) => (Key: key, Vector: deferred.Decode(i))).ToList() // a float32 block: re-encoded, not indexed
            : index.Items.ToList();
        w.WriteCount(items.Count);
        if (items.Count == 0)
        {
            return;
        }

        foreach (var (key, vector) in items)
        {
            if (vector.Length != dimensions)
            {
                throw new InvalidOperationException($"The vector of '{key}' has {vector.Length} dimensions, not {dimensions}.");
            }
        }

        var encoding = VectorCodec.Choose(items.Select(i => (ReadOnlyMemory<float>)i.Vector));
        w.WriteByte((byte)encoding);
        foreach (var (key, _) in items)
        {
            w.WriteRef(key);
        }

        var length = VectorCodec.RecordLength(encoding, dimensions);
        foreach (var (_, vector) in items)
        {
            VectorCodec.Encode(encoding, vector, w.Reserve(length));
        }
    }

    /// <summary>Reads an index's vectors.</summary>
    /// <param name="r">The snapshot reader.</param>
    /// <param name="version">The snapshot's format version.</param>
    /// <param name="dimensions">The dimension the meta section announced.</param>
    /// <param name="keep">Whether the vectors are kept; when not (another embedder), only the keys are.</param>
    /// <returns>The keys, in index order, and the vectors (<see langword="null"/> when not kept or none).</returns>
    /// <exception cref="InvalidDataException">The section is malformed.</exception>
    public static (string[] Keys, EncodedVectors? Vectors) Read(ref PayloadReader r, int version, int dimensions, bool keep)
    {
        if (dimensions > MaxDimensions)
        {
            throw r.Error($"a dimension of {dimensions} is out of range");
        }

        var legacy = version < CompactVersion;
        var count = r.ReadCount(legacy ? 1 + (dimensions * sizeof(float)) : 1);
        if (count == 0)
        {
            return ([], null);
        }

        if (dimensions == 0)
        {
            throw r.Error("vectors without a dimension");
        }

        var encoding = VectorEncoding.Float32;
        if (!legacy)
        {
            var value = r.ReadByte();
            if (!VectorCodec.IsKnown(value))
            {
                throw r.Error($"unknown vector encoding {value}");
            }

            encoding = (VectorEncoding)value;
        }

        var length = VectorCodec.RecordLength(encoding, dimensions);
        if (!legacy && (long)count * (length + 1) > r.Remaining)
        {
            throw r.Error($"{count} vectors of {length} bytes do not fit the {r.Remaining} bytes left");
        }

        var keys = new string[count];
        byte[] records;
        if (legacy)
        {
            records = keep ? GC.AllocateUninitializedArray<byte>(count * length) : [];
            for (var i = 0; i < count; i++)
            {
                keys[i] = r.ReadRef();
                var record = r.ReadBytes(length);
                if (keep)
                {
                    record.CopyTo(records.AsSpan(i * length));
                }
            }
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                keys[i] = r.ReadRef();
            }

            var block = r.ReadBytes(checked(count * length));
            if (!keep)
            {
                return (keys, null);
            }

            for (var i = 0; i < count; i++)
            {
                if (!VectorCodec.IsValid(encoding, block.Slice(i * length, length)))
                {
                    throw r.Error($"the vector of '{keys[i]}' has an invalid scale");
                }
            }

            records = block.ToArray();
        }

        return (keys, keep ? new EncodedVectors(keys, encoding, dimensions, records) : null);
    }
}
