namespace MemoryFabric.Persistence;

/// <summary>
/// The dense vectors of one index as a snapshot stores them: their keys, in index order, and one
/// <see cref="VectorCodec"/> record per key in one array. A restore hands this to
/// <see cref="Retrieval.TieredVectorIndex.LoadDeferred"/>, which decodes it on first use; a snapshot taken before
/// that writes the records back as they are.
/// </summary>
internal sealed class EncodedVectors
{
    private readonly string[] _keys;
    private readonly byte[] _records;
    private HashSet<string>? _keySet;

    /// <summary>Wraps stored vectors.</summary>
    /// <param name="keys">The keys, in index order (distinct).</param>
    /// <param name="encoding">How the records are encoded.</param>
    /// <param name="dimensions">The vectors' dimension.</param>
    /// <param name="records">One record per key, <see cref="VectorCodec.RecordLength"/> bytes each.</param>
    /// <exception cref="ArgumentException">The records do not match the keys.</exception>
    public EncodedVectors(string[] keys, VectorEncoding encoding, int dimensions, byte[] records)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        RecordLength = VectorCodec.RecordLength(encoding, dimensions);
        if (records.Length != (long)keys.Length * RecordLength)
        {
            throw new ArgumentException($"{keys.Length} {encoding} vectors of {dimensions} dimensions take {(long)keys.Length * RecordLength} bytes, not {records.Length}.", nameof(records));
        }

        _keys = keys;
        _records = records;
        Encoding = encoding;
        Dimensions = dimensions;
    }

    /// <summary>The number of vectors.</summary>
    public int Count => _keys.Length;

    /// <summary>The vectors' dimension.</summary>
    public int Dimensions { get; }

    /// <summary>How the records are encoded.</summary>
    public VectorEncoding Encoding { get; }

    /// <summary>The bytes of one record.</summary>
    public int RecordLength { get; }

    /// <summary>The keys, in index order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>All records, back to back, in key order.</summary>
    public ReadOnlySpan<byte> Records => _records;

    /// <summary>Whether a key is among the vectors (a set built on the first call).</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Contains(string key) => (_keySet ??= new HashSet<string>(_keys, StringComparer.Ordinal)).Contains(key);

    /// <summary>The stored record of a vector.</summary>
    /// <param name="index">Its position.</param>
    /// <returns>The record.</returns>
    public ReadOnlySpan<byte> Record(int index) => _records.AsSpan(index * RecordLength, RecordLength);

    /// <summary>Decodes one vector into a new array.</summary>
    /// <param name="index">Its position.</param>
    /// <returns>The vector.</returns>
    public float[] Decode(int index)
    {
        var vector = GC.AllocateUninitializedArray<float>(Dimensions);
        VectorCodec.Decode(Encoding, Record(index), vector);
        return vector;
    }

    /// <summary>Decodes one vector into a buffer.</summary>
    /// <param name="index">Its position.</param>
    /// <param name="destination"><see cref="Dimensions"/> floats.</param>
    public void Decode(int index, Span<float> destination) => VectorCodec.Decode(Encoding, Record(index), destination);
}
