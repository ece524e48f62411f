using System.Text.Json.Serialization;

namespace MemoryFabric.Retrieval;

/// <summary>The context built for a query: the rendered text an agent reads and the items it is made of.</summary>
/// <param name="Text">The rendered context (dates and speakers included).</param>
/// <param name="Items">The items, in rendering order, each with the turns it was derived from.</param>
/// <param name="Tokens">The context's size in tokens, ceil(characters / 4) of <paramref name="Text"/>.</param>
/// <param name="Mode">"verbatim" when the whole history fit the budget with the notes that match the query (then
/// both are there), otherwise "retrieved".</param>
public sealed record MemoryContext(string Text, IReadOnlyList<ContextItem> Items, int Tokens, string Mode)
{
    /// <summary>How the context was built, when <see cref="ContextRequest.Explain"/> asked for it; otherwise
    /// <see langword="null"/> (and absent from the JSON).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ContextExplanation? Explanation { get; init; }

    /// <summary>Whether the items were ranked on lexical signals alone because the embedder could not start on the
    /// query within its queue deadline (the server was busy). Always in the JSON.</summary>
    public bool Degraded { get; init; }

    /// <summary>Why the context is degraded: <c>embedding-deadline</c> (the query waited out its deadline) or
    /// <c>embedder-overloaded</c> (the embedder's queue was full); <see langword="null"/> (and absent from the JSON)
    /// when it is not.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DegradedReason { get; init; }
}
