using System.Buffers.Binary;
using System.Text;

namespace MemoryFabric.Embeddings.Onnx;

/// <summary>
/// A forward-only reader of the protobuf wire format over a byte span: varints, fixed 32/64-bit values and
/// length-delimited fields. Every read is bounds-checked and throws <see cref="InvalidDataException"/> on
/// malformed input (truncated values, overlong varints, lengths past the end, unsupported wire types).
/// </summary>
internal ref struct ProtoReader
{
    /// <summary>Wire type of varint fields.</summary>
    public const int Varint = 0;

    /// <summary>Wire type of fixed 64-bit fields.</summary>
    public const int Fixed64 = 1;

    /// <summary>Wire type of length-delimited fields (strings, bytes, messages, packed repeated scalars).</summary>
    public const int LengthDelimited = 2;

    /// <summary>Wire type of fixed 32-bit fields.</summary>
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _baseOffset;
    private int _position;

    /// <summary>Creates a reader over <paramref name="data"/>.</summary>
    /// <param name="data">The encoded message.</param>
    /// <param name="baseOffset">The offset of <paramref name="data"/> in the file, for error messages.</param>
    public ProtoReader(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        _data = data;
        _baseOffset = baseOffset;
        _position = 0;
    }

    /// <summary>Whether the whole message has been read.</summary>
    public readonly bool End => _position >= _data.Length;

    /// <summary>The file offset of the next byte, for error messages and nested readers.</summary>
    public readonly int Offset => _baseOffset + _position;

    /// <summary>Reads the next field key.</summary>
    /// <param name="wireType">The wire type of the field.</param>
    /// <returns>The field number.</returns>
    public int ReadTag(out int wireType)
    {
        var start = Offset;
        var key = ReadVarint();
        wireType = (int)(key & 7);
        var field = key >> 3;
        if (field == 0 || field > int.MaxValue)
        {
            throw Malformed($"invalid field number {field}", start);
        }

        return (int)field;
    }

    /// <summary>Reads a base-128 varint (at most 10 bytes).</summary>
    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw Malformed("truncated varint", Offset);
            }

            var b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw Malformed("varint longer than 10 bytes", Offset);
    }

    /// <summary>Reads a varint as a signed 64-bit integer (two's complement, as protobuf's int64).</summary>
    public long ReadInt64() => unchecked((long)ReadVarint());

    /// <summary>Reads a varint that must fit a non-negative 32-bit integer.</summary>
    public int ReadInt32()
    {
        var start = Offset;
        var v = ReadInt64();
        if (v is < int.MinValue or > int.MaxValue)
        {
            throw Malformed($"value {v} does not fit 32 bits", start);
        }

        return (int)v;
    }

    /// <summary>Reads a little-endian fixed 32-bit value as a float.</summary>
    public float ReadFloat()
    {
        Require(4);
        var v = BinaryPrimitives.ReadSingleLittleEndian(_data.Slice(_position, 4));
        _position += 4;
        return v;
    }

    /// <summary>Reads a little-endian fixed 64-bit value as a double.</summary>
    public double ReadDouble()
    {
        Require(8);
        var v = BinaryPrimitives.ReadDoubleLittleEndian(_data.Slice(_position, 8));
        _position += 8;
        return v;
    }

    /// <summary>Reads a length-delimited field's payload.</summary>
    /// <param name="payloadOffset">The file offset of the payload.</param>
    public ReadOnlySpan<byte> ReadBytes(out int payloadOffset)
    {
        var start = Offset;
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw Malformed($"length {length} runs past the end of its message", start);
        }

        payloadOffset = Offset;
        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    /// <summary>Reads a length-delimited field's payload.</summary>
    public ReadOnlySpan<byte> ReadBytes() => ReadBytes(out _);

    /// <summary>Reads a length-delimited field as UTF-8 text.</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    /// <summary>Reads a nested message and returns a reader over it.</summary>
    public ProtoReader ReadMessage()
    {
        var bytes = ReadBytes(out var offset);
        return new ProtoReader(bytes, offset);
    }

    /// <summary>Skips a field of the given wire type.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Require(8);
                _position += 8;
                break;
            case LengthDelimited:
                ReadBytes();
                break;
            case Fixed32:
                Require(4);
                _position += 4;
                break;
            default:
                throw Malformed($"unsupported wire type {wireType}", Offset);
        }
    }

    /// <summary>Throws unless the field has the expected wire type.</summary>
    public readonly void Expect(int wireType, int expected, string field)
    {
        if (wireType != expected)
        {
            throw Malformed($"field '{field}' has wire type {wireType}, expected {expected}", Offset);
        }
    }

    /// <summary>Creates the exception for malformed input at a file offset.</summary>
    public static InvalidDataException Malformed(string problem, int offset) =>
        new($"Malformed protobuf at byte {offset}: {problem}.");

    private readonly void Require(int count)
    {
        if (_data.Length - _position < count)
        {
            throw Malformed($"truncated {count}-byte value", Offset);
        }
    }
}
