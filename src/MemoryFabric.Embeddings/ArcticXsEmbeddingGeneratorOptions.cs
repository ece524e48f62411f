namespace MemoryFabric.Embeddings;

/// <summary>Options of <see cref="ArcticXsEmbeddingGenerator"/>: <see cref="BertEmbeddingGeneratorOptions.ModelDirectory"/>
/// holds <c>model.onnx</c> and <c>vocab.txt</c> (<see cref="ArcticXsModel.DefaultDirectory"/> when <see langword="null"/>);
/// texts are cut at 512 tokens by default, the model's maximum.</summary>
public sealed class ArcticXsEmbeddingGeneratorOptions : BertEmbeddingGeneratorOptions
{
    /// <summary>Creates the options with <see cref="BertEmbeddingGeneratorOptions.MaxSequenceLength"/> 512.</summary>
    public ArcticXsEmbeddingGeneratorOptions() => MaxSequenceLength = 512;
}
