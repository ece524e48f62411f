using System.Text.Json.Serialization;

namespace MemoryFabric.Benchmarks.Embed;

/// <summary>The result of <c>memfab bench embed</c>, in the JSON shape the issue asks for plus context fields.</summary>
public sealed record EmbedBenchmarkReport
{
    /// <summary>The cases by name: short, medium, long.</summary>
    [JsonPropertyName("cases")]
    public required IReadOnlyDictionary<string, EmbedCaseResult> Cases { get; init; }

    /// <summary>Ours over ONNX Runtime's single-thread sentences per second on batches of medium texts.</summary>
    [JsonPropertyName("ratio_medium_batch32_single")]
    public double? RatioMediumBatchSingle { get; init; }

    /// <summary>The model measured (its id).</summary>
    [JsonPropertyName("model")]
    public string Model { get; init; } = string.Empty;

    /// <summary>The mean cosine between our vectors and ONNX Runtime's (first batch of every case), when it ran.</summary>
    [JsonPropertyName("cosine_vs_onnxruntime_mean")]
    public double? CosineMean { get; init; }

    /// <summary>The least such cosine.</summary>
    [JsonPropertyName("cosine_vs_onnxruntime_min")]
    public double? CosineMin { get; init; }

    /// <summary>Sentences per batch.</summary>
    [JsonPropertyName("batch_size")]
    public int BatchSize { get; init; }

    /// <summary>Seconds to load the model (files verified, weights unpacked).</summary>
    [JsonPropertyName("model_load_seconds")]
    public double ModelLoadSeconds { get; init; }

    /// <summary>The process's peak resident memory, in megabytes, after the MemoryFabric runs (before ONNX Runtime,
    /// which runs in its own process).</summary>
    [JsonPropertyName("peak_memory_mb")]
    public double PeakMemoryMegabytes { get; init; }

    /// <summary>The onnxruntime-node version used, when it ran.</summary>
    [JsonPropertyName("onnxruntime_version")]
    public string? OnnxRuntimeVersion { get; init; }

    /// <summary>Logical processors of the machine.</summary>
    [JsonPropertyName("processor_count")]
    public int ProcessorCount { get; init; }
}
