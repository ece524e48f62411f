using System.Text.RegularExpressions;

namespace MemoryFabric.Orleans.Agents;

/// <summary>The rule for agent names (the part of an agent's key after <c>tenant/</c>) and relation group names.</summary>
public static partial class AgentNames
{
    /// <summary>The rule in words, for error messages.</summary>
    public const string Rule = "1 to 128 characters of A-Z, a-z, 0-9, '.', '_', '-', '@' and ':'";

    /// <summary>Whether a name follows <see cref="Rule"/>.</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    // \z, not $: $ also matches before a final newline ("tom\n").
    [GeneratedRegex(@"^[A-Za-z0-9._\-@:]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
