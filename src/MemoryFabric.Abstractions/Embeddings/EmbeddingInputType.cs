using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>
/// Whether a call embeds queries or documents, through <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>:
/// <see cref="PropertyName"/> holds <see cref="Query"/> or <see cref="Document"/> (the default when absent). Asymmetric
/// models encode the two differently (snowflake-arctic-embed prefixes queries with an instruction); symmetric ones
/// (all-MiniLM-L6-v2, the hashed embedder) ignore it. The engine marks the query's own vector as a query; everything it
/// stores (turns, episodes, facts, on-demand embeds of pending items) is a document.
/// </summary>
public static class EmbeddingInputType
{
    /// <summary>The additional property that names what a call embeds: <c>memoryfabric.input_type</c>.</summary>
    public const string PropertyName = "memoryfabric.input_type";

    /// <summary>A search query: <c>query</c>.</summary>
    public const string Query = "query";

    /// <summary>A text to be found (the default): <c>document</c>.</summary>
    public const string Document = "document";

    /// <summary>Marks <paramref name="options"/> (new options when <see langword="null"/>) as embedding queries.</summary>
    /// <param name="options">Options to mark in place, or <see langword="null"/>.</param>
    /// <returns>The marked options.</returns>
    public static EmbeddingGenerationOptions AsQuery(EmbeddingGenerationOptions? options = null)
    {
        options ??= new EmbeddingGenerationOptions();
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[PropertyName] = Query;
        return options;
    }

    /// <summary>Whether a call's options mark its texts as queries.</summary>
    /// <param name="options">The call's options.</param>
    /// <returns><see langword="true"/> when <see cref="PropertyName"/> is <see cref="Query"/> (case-insensitive).</returns>
    public static bool IsQuery(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties is { } properties
        && properties.TryGetValue(PropertyName, out var value)
        && value is string s && string.Equals(s, Query, StringComparison.OrdinalIgnoreCase);
}
