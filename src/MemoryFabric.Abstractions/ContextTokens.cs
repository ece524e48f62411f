namespace MemoryFabric;

/// <summary>The one token count used everywhere: ceil(characters / 4), so that strategies compare fairly.</summary>
public static class ContextTokens
{
    /// <summary>Counts the tokens of a text as ceil(characters / 4).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count; 0 for null or empty text.</returns>
    public static int Count(string? text) => string.IsNullOrEmpty(text) ? 0 : (text.Length + 3) / 4;

    /// <summary>The number of characters a token budget allows.</summary>
    /// <param name="tokens">The budget in tokens.</param>
    /// <returns>The budget in characters.</returns>
    public static int Characters(int tokens) => Math.Max(0, tokens) * 4;
}
