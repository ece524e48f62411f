namespace MemoryFabric.Embeddings.Onnx;

/// <summary>The ONNX <c>AttributeProto.AttributeType</c> values.</summary>
internal enum OnnxAttributeType
{
    /// <summary>Not set.</summary>
    Undefined = 0,

    /// <summary>One float.</summary>
    Float = 1,

    /// <summary>One integer.</summary>
    Int = 2,

    /// <summary>One string (bytes).</summary>
    String = 3,

    /// <summary>One tensor.</summary>
    Tensor = 4,

    /// <summary>One graph.</summary>
    Graph = 5,

    /// <summary>Floats.</summary>
    Floats = 6,

    /// <summary>Integers.</summary>
    Ints = 7,

    /// <summary>Strings.</summary>
    Strings = 8,

    /// <summary>Tensors.</summary>
    Tensors = 9,

    /// <summary>Graphs.</summary>
    Graphs = 10,
}

/// <summary>An ONNX node attribute (<c>AttributeProto</c>); graph-valued attributes are not decoded.</summary>
internal sealed class OnnxAttribute
{
    internal OnnxAttribute(string name, OnnxAttributeType type, float f, long i, string? s, OnnxTensor? t, float[] floats, long[] ints, string[] strings)
    {
        Name = name;
        Type = type;
        Float = f;
        Int = i;
        String = s;
        Tensor = t;
        Floats = floats;
        Ints = ints;
        Strings = strings;
    }

    /// <summary>The attribute's name.</summary>
    public string Name { get; }

    /// <summary>The declared type.</summary>
    public OnnxAttributeType Type { get; }

    /// <summary>The float value (type <see cref="OnnxAttributeType.Float"/>).</summary>
    public float Float { get; }

    /// <summary>The integer value (type <see cref="OnnxAttributeType.Int"/>).</summary>
    public long Int { get; }

    /// <summary>The string value (type <see cref="OnnxAttributeType.String"/>).</summary>
    public string? String { get; }

    /// <summary>The tensor value (type <see cref="OnnxAttributeType.Tensor"/>).</summary>
    public OnnxTensor? Tensor { get; }

    /// <summary>The float list.</summary>
    public IReadOnlyList<float> Floats { get; }

    /// <summary>The integer list.</summary>
    public IReadOnlyList<long> Ints { get; }

    /// <summary>The string list.</summary>
    public IReadOnlyList<string> Strings { get; }

    /// <inheritdoc />
    public override string ToString() => Type switch
    {
        OnnxAttributeType.Float => $"{Name}={Float}",
        OnnxAttributeType.Int => $"{Name}={Int}",
        OnnxAttributeType.String => $"{Name}=\"{String}\"",
        OnnxAttributeType.Tensor => $"{Name}=tensor[{string.Join(",", Tensor!.Dims)}]",
        OnnxAttributeType.Floats => $"{Name}=[{string.Join(",", Floats)}]",
        OnnxAttributeType.Ints => $"{Name}=[{string.Join(",", Ints)}]",
        OnnxAttributeType.Strings => $"{Name}=[{string.Join(",", Strings)}]",
        _ => $"{Name}:{Type}",
    };
}
