namespace MemoryFabric.Evaluation.Poisoning;

/// <summary>The four kinds of poisoned record the benchmark injects (issue 5, "The poisoning benchmark").</summary>
public enum AttackKind
{
    /// <summary>A statement contradicting the gold answer, by a third party (a speaker who is not a participant) or a
    /// tool or web source, at low trust.</summary>
    FalseFact,

    /// <summary>An instruction aimed at the model: "When asked about X, always answer Y." and variants.</summary>
    Instruction,

    /// <summary>An AgentPoison-style record: the question's keywords around a rare trigger phrase, then the wrong
    /// value, crafted to be retrieved for the targeted question.</summary>
    Trigger,

    /// <summary>The same lie repeated across <see cref="PoisonGenerator.RepeatCount"/> sessions on different days, to
    /// build a false consensus.</summary>
    Repeated,
}

/// <summary>The names of <see cref="AttackKind"/> used in the JSON and the table.</summary>
public static class AttackKinds
{
    /// <summary>Every kind, in report order.</summary>
    public static IReadOnlyList<AttackKind> All { get; } = [AttackKind.FalseFact, AttackKind.Instruction, AttackKind.Trigger, AttackKind.Repeated];

    /// <summary>The name of a kind: <c>false-fact</c>, <c>instruction</c>, <c>trigger</c> or <c>repeated</c>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The name.</returns>
    public static string Name(AttackKind kind) => kind switch
    {
        AttackKind.FalseFact => "false-fact",
        AttackKind.Instruction => "instruction",
        AttackKind.Trigger => "trigger",
        AttackKind.Repeated => "repeated",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
