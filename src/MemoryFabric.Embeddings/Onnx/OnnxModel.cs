using System.Buffers.Binary;

namespace MemoryFabric.Embeddings.Onnx;

/// <summary>
/// The parts of an ONNX <c>ModelProto</c> an inference engine needs: opsets, and the main graph's nodes,
/// initializers, inputs and outputs. It decodes the protobuf wire format directly (no generated code);
/// unknown fields are skipped, malformed input throws <see cref="InvalidDataException"/> naming the file.
/// Tensor data held in external files is not read here; see <see cref="OnnxTensor.ReadBytes"/>.
/// </summary>
internal sealed class OnnxModel
{
    private OnnxModel(long irVersion, string producerName, IReadOnlyList<(string Domain, long Version)> opsets, OnnxGraph graph)
    {
        IrVersion = irVersion;
        ProducerName = producerName;
        Opsets = opsets;
        Graph = graph;
    }

    /// <summary>The IR version.</summary>
    public long IrVersion { get; }

    /// <summary>The producer (e.g. <c>onnx.quantize</c>).</summary>
    public string ProducerName { get; }

    /// <summary>The imported operator sets.</summary>
    public IReadOnlyList<(string Domain, long Version)> Opsets { get; }

    /// <summary>The main graph.</summary>
    public OnnxGraph Graph { get; }

    /// <summary>Reads and parses an ONNX file.</summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <exception cref="InvalidDataException">The file is not a well-formed ONNX model.</exception>
    public static OnnxModel Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            return Parse(bytes);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"'{path}' is not a valid ONNX model: {ex.Message}", ex);
        }
    }

    /// <summary>Parses an ONNX model from its bytes.</summary>
    /// <param name="bytes">The encoded <c>ModelProto</c>.</param>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ONNX model.</exception>
    public static OnnxModel Parse(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        long irVersion = 0;
        var producer = string.Empty;
        var opsets = new List<(string, long)>();
        OnnxGraph? graph = null;
        while (!reader.End)
        {
            var field = reader.ReadTag(out var wire);
            switch (field)
            {
                case 1 when wire == ProtoReader.Varint:
                    irVersion = reader.ReadInt64();
                    break;
                case 2 when wire == ProtoReader.LengthDelimited:
                    producer = reader.ReadString();
                    break;
                case 7:
                    reader.Expect(wire, ProtoReader.LengthDelimited, "ModelProto.graph");
                    var g = reader.ReadMessage();
                    graph = ParseGraph(ref g);
                    break;
                case 8:
                    reader.Expect(wire, ProtoReader.LengthDelimited, "ModelProto.opset_import");
                    var o = reader.ReadMessage();
                    opsets.Add(ParseOpset(ref o));
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (irVersion <= 0 || graph is null)
        {
            throw new InvalidDataException(graph is null ? "the model has no graph" : "the model has no IR version");
        }

        return new OnnxModel(irVersion, producer, opsets, graph);
    }

    private static (string, long) ParseOpset(ref ProtoReader r)
    {
        var domain = string.Empty;
        long version = 0;
        while (!r.End)
        {
            var field = r.ReadTag(out var wire);
            if (field == 1 && wire == ProtoReader.LengthDelimited)
            {
                domain = r.ReadString();
            }
            else if (field == 2 && wire == ProtoReader.Varint)
            {
                version = r.ReadInt64();
            }
            else
            {
                r.Skip(wire);
            }
        }

        return (domain, version);
    }

    private static OnnxGraph ParseGraph(ref ProtoReader r)
    {
        var name = string.Empty;
        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var inputs = new List<string>();
        var outputs = new List<string>();
        while (!r.End)
        {
            var field = r.ReadTag(out var wire);
            switch (field)
            {
                case 1:
                    r.Expect(wire, ProtoReader.LengthDelimited, "GraphProto.node");
                    var n = r.ReadMessage();
                    nodes.Add(ParseNode(ref n));
                    break;
                case 2 when wire == ProtoReader.LengthDelimited:
                    name = r.ReadString();
                    break;
                case 5:
                    r.Expect(wire, ProtoReader.LengthDelimited, "GraphProto.initializer");
                    var offset = r.Offset;
                    var t = r.ReadMessage();
                    var tensor = ParseTensor(ref t);
                    if (!initializers.TryAdd(tensor.Name, tensor))
                    {
                        throw ProtoReader.Malformed($"duplicate initializer '{tensor.Name}'", offset);
                    }

                    break;
                case 11:
                case 12:
                    r.Expect(wire, ProtoReader.LengthDelimited, "GraphProto.input/output");
                    var v = r.ReadMessage();
                    (field == 11 ? inputs : outputs).Add(ParseValueInfoName(ref v));
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return new OnnxGraph(name, nodes, initializers, inputs, outputs);
    }

    private static string ParseValueInfoName(ref ProtoReader r)
    {
        var name = string.Empty;
        while (!r.End)
        {
            var field = r.ReadTag(out var wire);
            if (field == 1 && wire == ProtoReader.LengthDelimited)
            {
                name = r.ReadString();
            }
            else
            {
                r.Skip(wire);
            }
        }

        return name;
    }

    private static OnnxNode ParseNode(ref ProtoReader r)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        var name = string.Empty;
        var opType = string.Empty;
        var domain = string.Empty;
        var attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        var start = r.Offset;
        while (!r.End)
        {
            var field = r.ReadTag(out var wire);
            switch (field)
            {
                case 1 when wire == ProtoReader.LengthDelimited:
                    inputs.Add(r.ReadString());
                    break;
                case 2 when wire == ProtoReader.LengthDelimited:
                    outputs.Add(r.ReadString());
                    break;
                case 3 when wire == ProtoReader.LengthDelimited:
                    name = r.ReadString();
                    break;
                case 4 when wire == ProtoReader.LengthDelimited:
                    opType = r.ReadString();
                    break;
                case 5:
                    r.Expect(wire, ProtoReader.LengthDelimited, "NodeProto.attribute");
                    var a = r.ReadMessage();
                    var attribute = ParseAttribute(ref a);
                    attributes[attribute.Name] = attribute;
                    break;
                case 7 when wire == ProtoReader.LengthDelimited:
                    domain = r.ReadString();
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        if (opType.Length == 0)
        {
            throw ProtoReader.Malformed($"node '{name}' has no op_type", start);
        }

        return new OnnxNode(name, opType, domain, [.. inputs], [.. outputs], attributes);
    }

    private static OnnxAttribute ParseAttribute(ref ProtoReader r)
    {
        var name = string.Empty;
        var type = OnnxAttributeType.Undefined;
        float f = 0;
        long i = 0;
        string? s = null;
        OnnxTensor? t = null;
        var floats = new List<float>();
        var ints = new List<long>();
        var strings = new List<string>();
        while (!r.End)
        {
            var field = r.ReadTag(out var wire);
            switch (field)
            {
                case 1 when wire == ProtoReader.LengthDelimited:
                    name = r.ReadString();
                    break;
                case 2 when wire == ProtoReader.Fixed32:
                    f = r.ReadFloat();
                    break;
                case 3 when wire == ProtoReader.Varint:
                    i = r.ReadInt64();
                    break;
                case 4 when wire == ProtoReader.LengthDelimited:
                    s = r.ReadString();
                    break;
                case 5 when wire == ProtoReader.LengthDelimited:
                    var tr = r.ReadMessage();
                    t = ParseTensor(ref tr);
                    break;
                case 7:
                    ReadFloats(ref r, wire, floats);
                    break;
                case 8:
                    ReadInt64s(ref r, wire, ints);
                    break;
                case 9 when wire == ProtoReader.LengthDelimited:
                    strings.Add(r.ReadString());
                    break;
                case 20 when wire == ProtoReader.Varint:
                    type = (OnnxAttributeType)r.ReadInt32();
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return new OnnxAttribute(name, type, f, i, s, t, [.. floats], [.. ints], [.. strings]);
    }

    private static OnnxTensor ParseTensor(ref ProtoReader r)
    {
        var dims = new List<long>();
        var dataType = OnnxDataType.Undefined;
        var name = string.Empty;
        byte[]? raw = null;
        var floats = new List<float>();
        var int32s = new List<long>();
        var int64s = new List<long>();
        var external = new Dictionary<string, string>(StringComparer.Ordinal);
        var location = 0L;
        var start = r.Offset;
        while (!r.End)
        {
            var field = r.ReadTag(out var wire);
            switch (field)
            {
                case 1:
                    ReadInt64s(ref r, wire, dims);
                    break;
                case 2 when wire == ProtoReader.Varint:
                    dataType = (OnnxDataType)r.ReadInt32();
                    break;
                case 4:
                    ReadFloats(ref r, wire, floats);
                    break;
                case 5:
                    ReadInt64s(ref r, wire, int32s);
                    break;
                case 7:
                    ReadInt64s(ref r, wire, int64s);
                    break;
                case 8 when wire == ProtoReader.LengthDelimited:
                    name = r.ReadString();
                    break;
                case 9 when wire == ProtoReader.LengthDelimited:
                    raw = r.ReadBytes().ToArray();
                    break;
                case 13:
                    r.Expect(wire, ProtoReader.LengthDelimited, "TensorProto.external_data");
                    var e = r.ReadMessage();
                    var (key, value) = ParseStringPair(ref e);
                    external[key] = value;
                    break;
                case 14 when wire == ProtoReader.Varint:
                    location = r.ReadInt64();
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        foreach (var d in dims)
        {
            if (d < 0)
            {
                throw ProtoReader.Malformed($"tensor '{name}' has a negative dimension {d}", start);
            }
        }

        if (location == 1)
        {
            if (!external.TryGetValue("location", out var file) || file.Length == 0)
            {
                throw ProtoReader.Malformed($"tensor '{name}' has external data without a location", start);
            }

            var offset = ParseLong(external, "offset", 0, name, start);
            var length = ParseLong(external, "length", -1, name, start);
            return new OnnxTensor(name, dataType, [.. dims], null, file, offset, length);
        }

        raw ??= dataType switch
        {
            OnnxDataType.Float when floats.Count > 0 => ToBytes(floats),
            OnnxDataType.Int64 when int64s.Count > 0 => ToBytes(int64s),
            OnnxDataType.Int32 when int32s.Count > 0 => ToBytes(int32s.Select(v => (int)v).ToList()),
            _ => null,
        };
        return new OnnxTensor(name, dataType, [.. dims], raw, null, 0, -1);
    }

    private static long ParseLong(Dictionary<string, string> entries, string key, long defaultValue, string tensor, int offset)
    {
        if (!entries.TryGetValue(key, out var text))
        {
            return defaultValue;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v
            : throw ProtoReader.Malformed($"tensor '{tensor}' has an invalid external data {key} '{text}'", offset);
    }

    private static (string Key, string Value) ParseStringPair(ref ProtoReader r)
    {
        string key = string.Empty, value = string.Empty;
        while (!r.End)
        {
            var field = r.ReadTag(out var wire);
            if (field == 1 && wire == ProtoReader.LengthDelimited)
            {
                key = r.ReadString();
            }
            else if (field == 2 && wire == ProtoReader.LengthDelimited)
            {
                value = r.ReadString();
            }
            else
            {
                r.Skip(wire);
            }
        }

        return (key, value);
    }

    private static void ReadInt64s(ref ProtoReader r, int wire, List<long> into)
    {
        if (wire == ProtoReader.LengthDelimited)
        {
            var packed = r.ReadMessage();
            while (!packed.End)
            {
                into.Add(packed.ReadInt64());
            }
        }
        else
        {
            r.Expect(wire, ProtoReader.Varint, "repeated int64");
            into.Add(r.ReadInt64());
        }
    }

    private static void ReadFloats(ref ProtoReader r, int wire, List<float> into)
    {
        if (wire == ProtoReader.LengthDelimited)
        {
            var packed = r.ReadMessage();
            while (!packed.End)
            {
                into.Add(packed.ReadFloat());
            }
        }
        else
        {
            r.Expect(wire, ProtoReader.Fixed32, "repeated float");
            into.Add(r.ReadFloat());
        }
    }

    private static byte[] ToBytes(List<float> values)
    {
        var bytes = new byte[values.Count * 4];
        for (var k = 0; k < values.Count; k++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(k * 4), values[k]);
        }

        return bytes;
    }

    private static byte[] ToBytes(List<long> values)
    {
        var bytes = new byte[values.Count * 8];
        for (var k = 0; k < values.Count; k++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(k * 8), values[k]);
        }

        return bytes;
    }

    private static byte[] ToBytes(List<int> values)
    {
        var bytes = new byte[values.Count * 4];
        for (var k = 0; k < values.Count; k++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(k * 4), values[k]);
        }

        return bytes;
    }
}
