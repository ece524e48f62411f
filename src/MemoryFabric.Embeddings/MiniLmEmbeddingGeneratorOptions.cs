namespace MemoryFabric.Embeddings;

/// <summary>Options of <see cref="MiniLmEmbeddingGenerator"/>: <see cref="BertEmbeddingGeneratorOptions.ModelDirectory"/>
/// holds <c>model_q4.onnx</c>, <c>model_q4.onnx_data</c> and <c>vocab.txt</c> (<see cref="MiniLmModel.DefaultDirectory"/>
/// when <see langword="null"/>); texts are cut at 256 tokens by default, as the sentence-transformers model was trained.</summary>
public sealed class MiniLmEmbeddingGeneratorOptions : BertEmbeddingGeneratorOptions
{
}
