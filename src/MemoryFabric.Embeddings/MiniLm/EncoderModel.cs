using MemoryFabric.Embeddings.Onnx;

namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>What distinguishes one BERT sentence encoder from another for <see cref="BertEmbeddingGenerator"/>: its id
/// and provider name, its files and where they are by default, how its graph is read, how it pools, and its query prefix.</summary>
internal sealed record EncoderModel(
    string ModelId,
    string ProviderName,
    int Dimensions,
    string OnnxFileName,
    string VocabFileName,
    Func<string> DefaultDirectory,
    Action<string> Verify,
    Func<string, EncoderKernel, IReadOnlyList<int[]>, MiniLmEncoder> LoadEncoder,
    string? QueryPrefix)
{
    /// <summary>all-MiniLM-L6-v2 (4-bit MatMulNBits graph), mean pooling, symmetric.</summary>
    public static EncoderModel MiniLm { get; } = new(
        MiniLmModel.ModelId,
        MiniLmEmbeddingGenerator.ProviderName,
        MiniLmEmbeddingGenerator.Dimensions,
        MiniLmModel.OnnxFileName,
        MiniLmModel.VocabFileName,
        () => MiniLmModel.DefaultDirectory,
        MiniLmModel.Verify,
        (path, kernel, calibration) => MiniLmEncoder.Load(path, kernel, calibration),
        QueryPrefix: null);

    /// <summary>snowflake-arctic-embed-xs (fp32 PyTorch export, quantized at load for the int8 kernel), [CLS] pooling,
    /// an instruction prefix on queries.</summary>
    public static EncoderModel ArcticXs { get; } = new(
        ArcticXsModel.ModelId,
        ArcticXsEmbeddingGenerator.ProviderName,
        ArcticXsEmbeddingGenerator.Dimensions,
        ArcticXsModel.OnnxFileName,
        ArcticXsModel.VocabFileName,
        () => ArcticXsModel.DefaultDirectory,
        ArcticXsModel.Verify,
        LoadArcticXs,
        ArcticXsModel.QueryPrefix);

    private static MiniLmEncoder LoadArcticXs(string path, EncoderKernel kernel, IReadOnlyList<int[]> calibration)
    {
        kernel = MiniLmEncoder.ResolveKernel(kernel);
        var weights = BertFloatGraphReader.Read(OnnxModel.Load(path), Path.GetDirectoryName(Path.GetFullPath(path))!, quantize: kernel == EncoderKernel.Int8);
        return MiniLmEncoder.Create(weights, kernel, calibration, EncoderPooling.Cls);
    }
}
