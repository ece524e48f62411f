using MemoryFabric.Conversation;

namespace MemoryFabric.Evaluation.Poisoning;

/// <summary>One poisoned turn aimed at one targeted question.</summary>
/// <param name="Kind">The attack kind.</param>
/// <param name="QuestionId">The targeted question.</param>
/// <param name="WrongValue">The false answer it pushes (distinct per question and kind, so that a context item can be
/// attributed to one kind).</param>
/// <param name="Round">1 for the first injection round (false-fact, instruction, trigger; unlabelled: correction, bait,
/// instruction); 2 for the repeated lie and the chorus, injected after the guard's quarantine of round 1 has been confirmed (lessons).</param>
/// <param name="Input">The turn as ingested: its own session, dated within the conversation, with the source and
/// trust an attacker would have (unlabelled mode: none).</param>
public sealed record PoisonRecord(AttackKind Kind, string QuestionId, string WrongValue, int Round, TurnInput Input)
{
    /// <summary>The poisoned turn's id.</summary>
    public string TurnId => Input.Id!;

    /// <summary>The poisoned turn's text.</summary>
    public string Text => Input.Text;

    /// <summary>The id of the template it was written from (<see cref="PoisonTemplate.Id"/>), or
    /// <see langword="null"/> for the labelled kinds' fixed wordings (false fact, trigger, repeated).</summary>
    public string? Template { get; init; }

    /// <summary>The wording family of an instruction (<see cref="PoisonWordings.InstructionFamilies"/>), or
    /// <see langword="null"/> for the other kinds.</summary>
    public string? Family { get; init; }
}
