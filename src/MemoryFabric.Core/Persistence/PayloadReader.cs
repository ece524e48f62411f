using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace MemoryFabric.Persistence;

/// <summary>
/// Reads what <see cref="PayloadWriter"/> wrote. Every malformed or truncated read throws
/// <see cref="InvalidDataException"/> naming the format, the section being read and the byte offset.
/// </summary>
internal ref struct PayloadReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;
    private readonly string _format;
    private readonly List<string> _shared;
    private int _position;

    public PayloadReader(ReadOnlySpan<byte> data, string format)
    {
        _data = data;
        _format = format;
        _shared = [];
        _position = 0;
        Section = "header";
    }

    /// <summary>Reads data that continues a payload: its string references resolve against
    /// <paramref name="shared"/>, the strings that payload had defined where <paramref name="data"/> starts (this
    /// reader adds to the list).</summary>
    public PayloadReader(ReadOnlySpan<byte> data, string format, List<string> shared)
    {
        _data = data;
        _format = format;
        _shared = shared;
        _position = 0;
        Section = "header";
    }

    /// <summary>A copy of the strings defined so far (see the constructor that takes them).</summary>
    public readonly List<string> CopySharedStrings() => [.. _shared];

    /// <summary>What is being read, for error messages.</summary>
    public string Section { get; set; }

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly InvalidDataException Error(string message) =>
        new($"{_format} is corrupt: {message} (reading {Section}, at byte {_position} of {_data.Length}).");

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw Error($"{count} bytes needed, {Remaining} left");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    public byte ReadByte()
    {
        var position = _position;
        if ((uint)position >= (uint)_data.Length)
        {
            throw Error($"1 byte needed, {Remaining} left");
        }

        _position = position + 1;
        return _data[position];
    }

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw Error($"a flag holds {b}"),
    };

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(ReadBytes(8));

    public ulong ReadVarUInt()
    {
        // Most varints (counts, references, lengths) are one byte.
        var position = _position;
        if ((uint)position < (uint)_data.Length && _data[position] < 0x80)
        {
            _position = position + 1;
            return _data[position];
        }

        return ReadLongVarUInt();
    }

    private ulong ReadLongVarUInt()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw Error("a varint runs over 10 bytes");
    }

    /// <summary>A count of items that take at least <paramref name="minBytesEach"/> bytes each: a count the
    /// remaining bytes cannot hold is corrupt (and must not be allocated).</summary>
    public int ReadCount(int minBytesEach = 1)
    {
        var count = ReadVarUInt();
        if (count > int.MaxValue || (long)count * Math.Max(0, minBytesEach) > Remaining)
        {
            throw Error($"a count of {count} does not fit the {Remaining} bytes left");
        }

        return (int)count;
    }

    public int ReadVarInt()
    {
        var raw = ReadVarUInt();
        if (raw > uint.MaxValue)
        {
            throw Error("a 32-bit varint is out of range");
        }

        var v = (uint)raw;
        return (int)(v >> 1) ^ -(int)(v & 1);
    }

    public long ReadVarLong()
    {
        var v = ReadVarUInt();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    public string ReadString()
    {
        var count = ReadCount();
        var bytes = ReadBytes(count);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error("a string is not valid UTF-8");
        }
    }

    public string? ReadRefOrNull()
    {
        var tag = ReadVarUInt();
        switch (tag)
        {
            case 0:
                return null;
            case 1:
                var s = ReadString();
                _shared.Add(s);
                return s;
            default:
                var index = tag - 2;
                if (index >= (ulong)_shared.Count)
                {
                    throw Error($"string reference {index} is beyond the {_shared.Count} strings read so far");
                }

                return _shared[(int)index];
        }
    }

    public string ReadRef() => ReadRefOrNull() ?? throw Error("a required string is missing");

    public string[] ReadRefs()
    {
        var count = ReadCount();
        if (count == 0)
        {
            return [];
        }

        var array = new string[count];
        for (var i = 0; i < count; i++)
        {
            array[i] = ReadRef();
        }

        return array;
    }

    public DateTimeOffset ReadDateTimeOffset()
    {
        var ticks = ReadInt64();
        var minutes = ReadVarInt();
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks || minutes < -14 * 60 || minutes > 14 * 60)
        {
            throw Error($"a time ({ticks} ticks, offset {minutes} min) is out of range");
        }

        try
        {
            return new DateTimeOffset(ticks, TimeSpan.FromMinutes(minutes));
        }
        catch (ArgumentOutOfRangeException)
        {
            throw Error($"a time ({ticks} ticks, offset {minutes} min) is out of range");
        }
    }

    /// <summary>Raw little-endian int32 values.</summary>
    public void ReadInt32s(Span<int> destination)
    {
        var bytes = ReadBytes(destination.Length * sizeof(int));
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(destination));
            return;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice(i * sizeof(int)));
        }
    }

    public void ReadFloats(Span<float> destination)
    {
        var bytes = ReadBytes(destination.Length * sizeof(float));
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(destination));
            return;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * sizeof(float)));
        }
    }

    /// <summary>A small enum value written as a byte: 0 to <paramref name="count"/> - 1.</summary>
    public int ReadEnumValue(int count, string what)
    {
        var value = ReadByte();
        if (value >= count)
        {
            throw Error($"{value} is not a valid {what}");
        }

        return value;
    }

    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
        {
            throw Error($"{Remaining} unexpected bytes after the end");
        }
    }
}
