namespace MemoryFabric.Embeddings.Onnx;

/// <summary>An ONNX graph node (<c>NodeProto</c>): operator, inputs, outputs and attributes.</summary>
internal sealed class OnnxNode
{
    internal OnnxNode(string name, string opType, string domain, string[] inputs, string[] outputs, Dictionary<string, OnnxAttribute> attributes)
    {
        Name = name;
        OpType = opType;
        Domain = domain;
        Inputs = inputs;
        Outputs = outputs;
        Attributes = attributes;
    }

    /// <summary>The node's name.</summary>
    public string Name { get; }

    /// <summary>The operator type, e.g. <c>MatMulNBits</c>.</summary>
    public string OpType { get; }

    /// <summary>The operator domain (empty for the default ONNX domain, <c>com.microsoft</c> for contrib ops).</summary>
    public string Domain { get; }

    /// <summary>Input value names; an empty name is an omitted optional input.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Output value names.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Attributes by name.</summary>
    public IReadOnlyDictionary<string, OnnxAttribute> Attributes { get; }

    /// <summary>The input at <paramref name="index"/>, or an empty string when it is absent.</summary>
    public string Input(int index) => index < Inputs.Count ? Inputs[index] : string.Empty;

    /// <summary>An integer attribute, or <paramref name="defaultValue"/> when absent.</summary>
    public long GetInt(string name, long defaultValue) =>
        Attributes.TryGetValue(name, out var a) ? a.Int : defaultValue;

    /// <summary>A float attribute, or <paramref name="defaultValue"/> when absent.</summary>
    public float GetFloat(string name, float defaultValue) =>
        Attributes.TryGetValue(name, out var a) ? a.Float : defaultValue;

    /// <summary>An integer attribute that must be present.</summary>
    public long RequireInt(string name) =>
        Attributes.TryGetValue(name, out var a) && a.Type == OnnxAttributeType.Int
            ? a.Int
            : throw new InvalidDataException($"Node '{Name}' ({OpType}) lacks the integer attribute '{name}'.");

    /// <inheritdoc />
    public override string ToString() =>
        $"{OpType} '{Name}' ({string.Join(", ", Inputs)}) -> ({string.Join(", ", Outputs)}) {string.Join(" ", Attributes.Values)}";
}
