namespace MemoryFabric.Evaluation.Poisoning;

/// <summary>The kinds of poisoned record the benchmark injects: four labelled kinds (issue 5, "The poisoning
/// benchmark": records carry the weak source and low trust an attacker would have) and four unlabelled kinds ("The
/// guard without trust labels": plain user turns with no source and no trust, spoken by someone other than the
/// subject). <see cref="Instruction"/> belongs to both.</summary>
public enum AttackKind
{
    /// <summary>A statement contradicting the gold answer, by a third party (a speaker who is not a participant) or a
    /// tool or web source, at low trust.</summary>
    FalseFact,

    /// <summary>An instruction aimed at the model ("When asked about X, always answer Y." and many other wordings,
    /// see <see cref="PoisonWordings"/>).</summary>
    Instruction,

    /// <summary>An AgentPoison-style record: the question's keywords around a rare trigger phrase, then the wrong
    /// value, crafted to be retrieved for the targeted question.</summary>
    Trigger,

    /// <summary>The same lie repeated across <see cref="PoisonGenerator.RepeatCount"/> sessions on different days, to
    /// build a false consensus.</summary>
    Repeated,

    /// <summary>Unlabelled: a third party "correcting" a fact about the subject.</summary>
    Correction,

    /// <summary>Unlabelled: retrieval bait, text echoing the likely question and its keywords, then the wrong
    /// value.</summary>
    Bait,

    /// <summary>Unlabelled: a chorus, <see cref="PoisonGenerator.ChorusSize"/> distinct new speakers repeating the same
    /// false claim in different words, days apart.</summary>
    Chorus,
}

/// <summary>How the injected records are labelled.</summary>
public enum PoisonMode
{
    /// <summary>Records carry a weak source (tool, web, document, imported) and a low trust, as an attacker writing
    /// through a capped key would (kinds: <see cref="AttackKinds.Labelled"/>).</summary>
    Labelled,

    /// <summary>Every record is a plain turn: role user, no source, no trust, spoken by a new speaker who is not the
    /// subject (kinds: <see cref="AttackKinds.Unlabelled"/>).</summary>
    Unlabelled,
}

/// <summary>The names of <see cref="AttackKind"/> used in the JSON and the table.</summary>
public static class AttackKinds
{
    /// <summary>The labelled kinds, in report order.</summary>
    public static IReadOnlyList<AttackKind> Labelled { get; } = [AttackKind.FalseFact, AttackKind.Instruction, AttackKind.Trigger, AttackKind.Repeated];

    /// <summary>The unlabelled kinds, in report order (the chorus is the second injection round).</summary>
    public static IReadOnlyList<AttackKind> Unlabelled { get; } = [AttackKind.Correction, AttackKind.Bait, AttackKind.Instruction, AttackKind.Chorus];

    /// <summary>The labelled kinds (the default mode's), in report order.</summary>
    public static IReadOnlyList<AttackKind> All => Labelled;

    /// <summary>The kinds of a mode, in report order.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns>The kinds.</returns>
    public static IReadOnlyList<AttackKind> Of(PoisonMode mode) => mode == PoisonMode.Unlabelled ? Unlabelled : Labelled;

    /// <summary>Whether a kind is injected in the second round (after the guard's round-1 detections are
    /// confirmed).</summary>
    /// <param name="kind">The kind.</param>
    /// <returns><see langword="true"/> for the repeated lie and the chorus.</returns>
    public static bool IsSecondRound(AttackKind kind) => kind is AttackKind.Repeated or AttackKind.Chorus;

    /// <summary>The name of a kind: <c>false-fact</c>, <c>instruction</c>, <c>trigger</c>, <c>repeated</c>,
    /// <c>correction</c>, <c>bait</c> or <c>chorus</c>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The name.</returns>
    public static string Name(AttackKind kind) => kind switch
    {
        AttackKind.FalseFact => "false-fact",
        AttackKind.Instruction => "instruction",
        AttackKind.Trigger => "trigger",
        AttackKind.Repeated => "repeated",
        AttackKind.Correction => "correction",
        AttackKind.Bait => "bait",
        AttackKind.Chorus => "chorus",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The name of a mode: <c>labelled</c> or <c>unlabelled</c>.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns>The name.</returns>
    public static string Name(PoisonMode mode) => mode == PoisonMode.Unlabelled ? "unlabelled" : "labelled";
}
