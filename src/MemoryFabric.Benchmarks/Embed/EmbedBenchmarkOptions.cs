namespace MemoryFabric.Benchmarks.Embed;

/// <summary>Options of <see cref="EmbedBenchmark"/>.</summary>
public sealed class EmbedBenchmarkOptions
{
    /// <summary>Sentences per batch. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Texts per case (short, medium, long). Default 128.</summary>
    public int TextsPerCase { get; set; } = 128;

    /// <summary>The least time each measurement runs, in seconds. Default 3.</summary>
    public double MinSeconds { get; set; } = 3;

    /// <summary>The encoder measured: <see cref="EmbedBenchmarkModel.MiniLm"/> (default) or <see cref="EmbedBenchmarkModel.ArcticXs"/>.</summary>
    public EmbedBenchmarkModel Model { get; set; } = EmbedBenchmarkModel.MiniLm;

    /// <summary>The model directory; the model's default location when <see langword="null"/>.</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>Whether to run ONNX Runtime (onnxruntime-node) on the same inputs. Default <see langword="true"/>.</summary>
    public bool RunReference { get; set; } = true;

    /// <summary>Where onnxruntime-node is installed on demand; <c>~/.cache/memoryfabric/bench/onnxruntime-node</c>
    /// when <see langword="null"/>.</summary>
    public string? ReferenceDirectory { get; set; }
}

/// <summary>The encoders <c>memfab bench embed</c> measures.</summary>
public enum EmbedBenchmarkModel
{
    /// <summary>all-MiniLM-L6-v2 (4-bit), against ONNX Runtime on the same 4-bit graph.</summary>
    MiniLm,

    /// <summary>snowflake-arctic-embed-xs, against ONNX Runtime on the same fp32 graph ([CLS] pooling on both sides).</summary>
    ArcticXs,
}
