using System.Runtime.InteropServices;

namespace MemoryFabric.Embeddings.Onnx;

/// <summary>
/// An ONNX <c>TensorProto</c>: name, element type, shape and where its bytes are: inline (<c>raw_data</c> or a
/// typed repeated field) or in an external file (<c>data_location = EXTERNAL</c> with <c>location</c>,
/// <c>offset</c> and <c>length</c> entries, relative to the model's directory).
/// </summary>
internal sealed class OnnxTensor
{
    private readonly byte[]? _inline;

    internal OnnxTensor(string name, OnnxDataType dataType, long[] dims, byte[]? inline, string? externalLocation, long externalOffset, long externalLength)
    {
        Name = name;
        DataType = dataType;
        Dims = dims;
        _inline = inline;
        ExternalLocation = externalLocation;
        ExternalOffset = externalOffset;
        ExternalLength = externalLength;
    }

    /// <summary>The tensor's name (initializer names are what node inputs refer to).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public OnnxDataType DataType { get; }

    /// <summary>The shape.</summary>
    public IReadOnlyList<long> Dims { get; }

    /// <summary>The external data file (relative to the model's directory), or null when the data is inline.</summary>
    public string? ExternalLocation { get; }

    /// <summary>The byte offset in <see cref="ExternalLocation"/>.</summary>
    public long ExternalOffset { get; }

    /// <summary>The byte length in <see cref="ExternalLocation"/>, or -1 when not given (then derived from the shape).</summary>
    public long ExternalLength { get; }

    /// <summary>The number of elements (product of <see cref="Dims"/>; 1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Dims)
            {
                n = checked(n * d);
            }

            return n;
        }
    }

    /// <summary>The expected byte size from type and shape, or -1 for types without a fixed size.</summary>
    public long ExpectedByteLength => DataType switch
    {
        OnnxDataType.Float or OnnxDataType.Int32 or OnnxDataType.UInt32 => ElementCount * 4,
        OnnxDataType.Int64 or OnnxDataType.UInt64 or OnnxDataType.Double => ElementCount * 8,
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool => ElementCount,
        OnnxDataType.Float16 or OnnxDataType.BFloat16 or OnnxDataType.Int16 or OnnxDataType.UInt16 => ElementCount * 2,
        OnnxDataType.UInt4 or OnnxDataType.Int4 => (ElementCount + 1) / 2,
        _ => -1,
    };

    /// <summary>Reads the tensor's bytes (little-endian, as ONNX stores them).</summary>
    /// <param name="modelDirectory">The directory external data locations are relative to.</param>
    /// <exception cref="InvalidDataException">The data is missing, out of range or of the wrong size.</exception>
    public byte[] ReadBytes(string? modelDirectory)
    {
        var bytes = new byte[checked((int)DataLength())];
        ReadInto(bytes, modelDirectory);
        return bytes;
    }

    /// <summary>Reads a float tensor's elements (straight into the result, no intermediate byte copy).</summary>
    /// <param name="modelDirectory">The directory external data locations are relative to.</param>
    public float[] ReadFloats(string? modelDirectory)
    {
        Require(OnnxDataType.Float);
        var length = DataLength();
        if (length % 4 != 0)
        {
            throw new InvalidDataException($"Tensor '{Name}' has {length} bytes of float data, not a multiple of 4.");
        }

        var values = new float[checked((int)(length / 4))];
        ReadInto(MemoryMarshal.AsBytes(values.AsSpan()), modelDirectory);
        return values;
    }

    // The number of data bytes, checked against the type and shape.
    private long DataLength()
    {
        var length = ExternalLocation is null ? (_inline?.Length ?? 0) : ExternalLength >= 0 ? ExternalLength : ExpectedByteLength;
        var expected = ExpectedByteLength;
        if (expected >= 0 && length != expected)
        {
            throw new InvalidDataException(
                $"Tensor '{Name}' has {length} bytes of data, but its type {DataType} and shape [{string.Join(", ", Dims)}] need {expected}.");
        }

        if (length < 0 || length > Array.MaxLength)
        {
            throw new InvalidDataException($"Tensor '{Name}' has an unsupported data length {length}.");
        }

        return length;
    }

    private void ReadInto(Span<byte> destination, string? modelDirectory)
    {
        if (ExternalLocation is null)
        {
            (_inline ?? []).CopyTo(destination);
            return;
        }

        var location = ExternalLocation;
        if (modelDirectory is null)
        {
            throw new InvalidDataException($"Tensor '{Name}' keeps its data in external file '{location}', but no model directory was given.");
        }

        // The location must name a file inside the model's directory: no rooted paths, no "..".
        if (Path.IsPathRooted(location) || location.Split('/', '\\').Any(part => part == ".."))
        {
            throw new InvalidDataException($"Tensor '{Name}' has external data location '{location}' outside the model's directory.");
        }

        var path = Path.Combine(modelDirectory, location);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"External data file '{location}' of tensor '{Name}' was not found.", path);
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var fileLength = RandomAccess.GetLength(handle);
        if (ExternalOffset < 0 || ExternalOffset > fileLength || destination.Length > fileLength - ExternalOffset)
        {
            throw new InvalidDataException(
                $"Tensor '{Name}' refers to bytes [{ExternalOffset}, {ExternalOffset + destination.Length}) of '{location}', which has {fileLength} bytes.");
        }

        var read = 0;
        while (read < destination.Length)
        {
            var n = RandomAccess.Read(handle, destination[read..], ExternalOffset + read);
            if (n <= 0)
            {
                throw new InvalidDataException($"Unexpected end of '{location}' while reading tensor '{Name}'.");
            }

            read += n;
        }
    }

    /// <summary>Throws unless the tensor has the given element type.</summary>
    public void Require(OnnxDataType type)
    {
        if (DataType != type)
        {
            throw new InvalidDataException($"Tensor '{Name}' has element type {DataType}, expected {type}.");
        }
    }

    /// <summary>Throws unless the tensor has the given shape.</summary>
    public void RequireShape(params long[] dims)
    {
        if (!Dims.SequenceEqual(dims))
        {
            throw new InvalidDataException($"Tensor '{Name}' has shape [{string.Join(", ", Dims)}], expected [{string.Join(", ", dims)}].");
        }
    }
}
