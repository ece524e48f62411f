using System.Text.Json.Serialization;

namespace MemoryFabric.Benchmarks.Embed;

/// <summary>One text length measured: sentences per second.</summary>
public sealed record EmbedCaseResult
{
    /// <summary>Mean tokens per text, [CLS] and [SEP] included.</summary>
    [JsonPropertyName("tokens")]
    public double Tokens { get; init; }

    /// <summary>MemoryFabric, one thread.</summary>
    [JsonPropertyName("memoryfabric_single")]
    public double MemoryFabricSingle { get; init; }

    /// <summary>ONNX Runtime, one thread; <see langword="null"/> when it was not run.</summary>
    [JsonPropertyName("onnxruntime_single")]
    public double? OnnxRuntimeSingle { get; init; }

    /// <summary>MemoryFabric, all cores.</summary>
    [JsonPropertyName("memoryfabric_all_cores")]
    public double MemoryFabricAllCores { get; init; }

    /// <summary>ONNX Runtime, all cores; <see langword="null"/> when it was not run.</summary>
    [JsonPropertyName("onnxruntime_all_cores")]
    public double? OnnxRuntimeAllCores { get; init; }
}
