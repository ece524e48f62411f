using MemoryFabric.Conversation;

namespace MemoryFabric.Evaluation.Datasets;

/// <summary>One turn of a session.</summary>
/// <param name="Id">The turn id that evidence refers to (LoCoMo's <c>dia_id</c>, e.g. <c>D1:3</c>).</param>
/// <param name="Speaker">Who spoke.</param>
/// <param name="Text">What was said (for LoCoMo, with the image caption appended as <c>[image: …]</c>).</param>
/// <param name="Role">Who the speaker is to the memory: <see cref="TurnRole.User"/> (a person; every participant of a
/// human-human conversation, as in LoCoMo) unless the dataset says the turn is the AI assistant's (the generic
/// format's optional <c>"role"</c>).</param>
public sealed record DatasetTurn(string Id, string Speaker, string Text, TurnRole Role = TurnRole.User);
