using MemoryFabric.Embeddings.MiniLm;

namespace MemoryFabric.Embeddings;

/// <summary>
/// Sentence embeddings from all-MiniLM-L6-v2 (4-bit weights), computed in pure C# (<see cref="BertEmbeddingGenerator"/>):
/// the BERT WordPiece tokenizer, the 6-layer encoder, mean pooling over the tokens and L2 normalization, as
/// sentence-transformers does. Vectors have <see cref="Dimensions"/> (384) components and unit length. Queries and
/// documents are encoded alike.
/// <para>The model is loaded in the constructor (about 0.3 s: SHA-256 check, weight unpacking, a short calibration
/// pass; about 130 MB resident afterwards, plus about 13 MB of working memory per busy thread) and shared with any other
/// generator of the process on the same directory. On x64 CPUs with AVX-VNNI or AVX2 the dense layers run in 8-bit
/// integers on the model's exact 4-bit weights with dynamically quantized activations (about 1.6× the fp32 speed; mean
/// cosine 0.99986 to ONNX Runtime's fp32 result), elsewhere in fp32 (identical to ONNX Runtime's fp32 result to rounding).
/// <see cref="BertEmbeddingGenerator.UsesInt8Kernel"/> tells which.</para>
/// </summary>
public sealed class MiniLmEmbeddingGenerator : BertEmbeddingGenerator
{
    /// <summary>The provider name in <see cref="Microsoft.Extensions.AI.EmbeddingGeneratorMetadata"/>.</summary>
    public const string ProviderName = "memoryfabric-minilm";

    /// <summary>The model id reported in metadata and on each embedding.</summary>
    public const string DefaultModelId = MiniLmModel.ModelId;

    /// <summary>The vector size.</summary>
    public const int Dimensions = 384;

    /// <summary>Loads the model.</summary>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ModelFileException">A model file is missing, corrupted or not a supported model.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public MiniLmEmbeddingGenerator(MiniLmEmbeddingGeneratorOptions? options = null)
        : base(options ?? new MiniLmEmbeddingGeneratorOptions(), EncoderModel.MiniLm)
    {
    }
}
