using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace MemoryFabric.Persistence;

/// <summary>
/// A growable little-endian binary writer for the snapshot and journal formats: fixed-width integers, 7-bit varints,
/// UTF-8 strings, raw float blocks, and shared strings (<see cref="WriteRef"/>): the first occurrence of a string
/// is written inline, later ones as an index into the strings seen so far.
/// </summary>
internal sealed class PayloadWriter
{
    private readonly Dictionary<string, int> _shared = new(StringComparer.Ordinal);
    private byte[] _buffer;
    private int _length;

    public PayloadWriter(int capacity = 4096)
    {
        _buffer = new byte[Math.Max(64, capacity)];
    }

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public Span<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public Span<byte> Reserve(int count)
    {
        Ensure(count);
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    public void WriteVarUInt(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_length++] = (byte)value;
    }

    public void WriteCount(int count) => WriteVarUInt((uint)count);

    /// <summary>A signed 32-bit value, zig-zag encoded.</summary>
    public void WriteVarInt(int value) => WriteVarUInt((uint)((value << 1) ^ (value >> 31)));

    /// <summary>A signed 64-bit value, zig-zag encoded.</summary>
    public void WriteVarLong(long value) => WriteVarUInt((ulong)((value << 1) ^ (value >> 63)));

    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteCount(count);
        Encoding.UTF8.GetBytes(value, Reserve(count));
    }

    /// <summary>A nullable shared string: 0 = null, 1 = a new string inline, n ≥ 2 = the (n-2)th string seen.</summary>
    public void WriteRef(string? value)
    {
        if (value is null)
        {
            WriteByte(0);
            return;
        }

        if (_shared.TryGetValue(value, out var index))
        {
            WriteVarUInt((ulong)index + 2);
            return;
        }

        _shared[value] = _shared.Count;
        WriteByte(1);
        WriteString(value);
    }

    public void WriteRefs(IReadOnlyList<string> values)
    {
        WriteCount(values.Count);
        foreach (var value in values)
        {
            WriteRef(value);
        }
    }

    /// <summary>A <see cref="DateTimeOffset"/>: its clock ticks and its offset in minutes.</summary>
    public void WriteDateTimeOffset(DateTimeOffset value)
    {
        WriteInt64(value.Ticks);
        WriteVarInt((int)(value.Offset.Ticks / TimeSpan.TicksPerMinute));
    }

    /// <summary>Raw bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> values) => values.CopyTo(Reserve(values.Length));

    /// <summary>Raw little-endian int32 values.</summary>
    public void WriteInt32s(ReadOnlySpan<int> values)
    {
        var target = Reserve(values.Length * sizeof(int));
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(target);
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(target.Slice(i * sizeof(int)), values[i]);
        }
    }

    /// <summary>Raw little-endian floats.</summary>
    public void WriteFloats(ReadOnlySpan<float> values)
    {
        var target = Reserve(values.Length * sizeof(float));
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(target);
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(target.Slice(i * sizeof(float)), values[i]);
        }
    }

    private void Ensure(int count)
    {
        if (_buffer.Length - _length >= count)
        {
            return;
        }

        var needed = (long)_length + count;
        var size = Math.Max(needed, Math.Min((long)_buffer.Length * 2, Array.MaxLength));
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException($"The serialized memory exceeds {Array.MaxLength} bytes.");
        }

        Array.Resize(ref _buffer, (int)size);
    }
}
