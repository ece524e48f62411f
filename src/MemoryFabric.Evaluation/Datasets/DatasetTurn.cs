namespace MemoryFabric.Evaluation.Datasets;

/// <summary>One turn of a session.</summary>
/// <param name="Id">The turn id that evidence refers to (LoCoMo's <c>dia_id</c>, e.g. <c>D1:3</c>).</param>
/// <param name="Speaker">Who spoke.</param>
/// <param name="Text">What was said (for LoCoMo, with the image caption appended as <c>[image: …]</c>).</param>
public sealed record DatasetTurn(string Id, string Speaker, string Text);
