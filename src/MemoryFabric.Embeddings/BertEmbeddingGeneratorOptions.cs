using MemoryFabric.Embeddings.MiniLm;

namespace MemoryFabric.Embeddings;

/// <summary>Options of a <see cref="BertEmbeddingGenerator"/>.</summary>
public abstract class BertEmbeddingGeneratorOptions
{
    /// <summary>The directory holding the model's files; the model's default directory
    /// (<see cref="MiniLmModel.DefaultDirectory"/>, <see cref="ArcticXsModel.DefaultDirectory"/>) when <see langword="null"/>.</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>The most tokens a text is encoded with, [CLS] and [SEP] included; longer texts are truncated
    /// (the rest is not seen). Default 256; at most 512.</summary>
    public int MaxSequenceLength { get; set; } = 256;

    /// <summary>The most threads one call uses (its chunks of texts are spread over them). Default
    /// <see cref="Environment.ProcessorCount"/>; 1 encodes on the calling thread only.</summary>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>The most texts per internal chunk, the unit of work a thread takes and between which
    /// cancellation is checked. Default 32. A chunk also holds at most 1,024 tokens (or one text of up to
    /// <see cref="MaxSequenceLength"/>), which bounds each thread's working memory to about 13 MB.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>The clock for <see cref="Microsoft.Extensions.AI.Embedding.CreatedAt"/>. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The dense-layer kernel (tests force the portable fp32 one).</summary>
    internal EncoderKernel Kernel { get; set; } = EncoderKernel.Auto;
}
