namespace MemoryFabric.Guard;

/// <summary>What a memory claims: a value of an attribute of a subject ("Caroline", "home city", "Boston").</summary>
/// <param name="Subject">Who or what the claim is about.</param>
/// <param name="Attribute">The attribute.</param>
/// <param name="Value">The value claimed.</param>
public sealed record MemoryClaim(string Subject, string Attribute, string Value);

/// <summary>A claim backed by an agent's trusted memories, as the agents of a relation group share them for
/// consensus.</summary>
/// <param name="Subject">Who or what the claim is about.</param>
/// <param name="Attribute">The attribute.</param>
/// <param name="Value">The value the trusted memories state.</param>
/// <param name="Sources">How many independent trusted sources (session and speaker pairs) back it.</param>
public sealed record ConsensusClaim(string Subject, string Attribute, string Value, int Sources)
{
    /// <summary>The agent whose memories back the claim (set when claims are shared across agents).</summary>
    public string? Agent { get; init; }
}
