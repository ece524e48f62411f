using MemoryFabric.Embeddings.MiniLm;

namespace MemoryFabric.Embeddings;

/// <summary>
/// Sentence embeddings from Snowflake's snowflake-arctic-embed-xs (6 layers, 384 dimensions, uncased WordPiece),
/// computed in pure C# by the same encoder as <see cref="MiniLmEmbeddingGenerator"/> (<see cref="BertEmbeddingGenerator"/>):
/// [CLS] pooling and L2 normalization, as the model card prescribes. Calls marked <see cref="EmbeddingInputType.Query"/>
/// get the model's query instruction (<see cref="ArcticXsModel.QueryPrefix"/>); documents get none.
/// <para>The model (fp32 ONNX, 90 MB, from the NuGet package <see cref="ArcticXsModel.NuGetPackageId"/>; see
/// <see cref="ArcticXsModel"/>) is read once per process: on x64 CPUs with AVX-VNNI or AVX2 its projections are
/// quantized at load per block of 32 inputs (one fp32 scale each; codes within ±127 for AVX-VNNI, ±32 for AVX2) and
/// run in the int8 kernel with the calibrated fp32 outlier channels; elsewhere they run in fp32 on the exact weights.
/// All match ONNX Runtime's fp32 vectors to cosine ≥ 0.999 (tests/MemoryFabric.Embeddings.Tests,
/// ArcticXsEmbeddingGeneratorTests). [CLS] pooling lets the last layer compute only the [CLS] token.</para>
/// </summary>
public sealed class ArcticXsEmbeddingGenerator : BertEmbeddingGenerator
{
    /// <summary>The provider name in <see cref="Microsoft.Extensions.AI.EmbeddingGeneratorMetadata"/>.</summary>
    public const string ProviderName = "memoryfabric-arctic-xs";

    /// <summary>The model id reported in metadata and on each embedding.</summary>
    public const string DefaultModelId = ArcticXsModel.ModelId;

    /// <summary>The vector size.</summary>
    public const int Dimensions = 384;

    /// <summary>Loads the model (which must already be in the model directory: see <see cref="ArcticXsModel.EnsureAsync(string?, IProgress{string}?, CancellationToken)"/>).</summary>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ModelFileException">A model file is missing, corrupted or not a supported model.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ArcticXsEmbeddingGenerator(ArcticXsEmbeddingGeneratorOptions? options = null)
        : base(options ?? new ArcticXsEmbeddingGeneratorOptions(), EncoderModel.ArcticXs)
    {
    }
}
