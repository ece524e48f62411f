namespace MemoryFabric.Embeddings.Onnx;

/// <summary>An ONNX graph (<c>GraphProto</c>): nodes in topological order, initializers, inputs and outputs.</summary>
internal sealed class OnnxGraph
{
    internal OnnxGraph(string name, IReadOnlyList<OnnxNode> nodes, IReadOnlyDictionary<string, OnnxTensor> initializers, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs)
    {
        Name = name;
        Nodes = nodes;
        Initializers = initializers;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>The graph's name.</summary>
    public string Name { get; }

    /// <summary>The nodes, in the order the file lists them (topological for valid models).</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>Initializers (weights and constants) by name.</summary>
    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }

    /// <summary>The graph's input names (initializers may also be listed here by older exporters).</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>The graph's output names.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>The initializer named <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">There is none.</exception>
    public OnnxTensor Initializer(string name) =>
        Initializers.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"The graph has no initializer '{name}'.");
}
