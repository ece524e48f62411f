namespace MemoryFabric.Evaluation.Poisoning;

/// <summary>Options of <see cref="PoisonBenchmark"/>.</summary>
public sealed class PoisonBenchmarkOptions
{
    /// <summary>The token budget of each context.</summary>
    public int TokenBudget { get; init; } = 1000;

    /// <summary>The seed of target selection and poison generation.</summary>
    public int Seed { get; init; }

    /// <summary>The share of eligible questions targeted per conversation.</summary>
    public double TargetShare { get; init; } = PoisonGenerator.DefaultTargetShare;

    /// <summary>Labelled records (weak sources, the default) or unlabelled ones (plain user turns).</summary>
    public PoisonMode Mode { get; init; } = PoisonMode.Labelled;

    /// <summary>The instruction wording families drawn from (default: the held-out ones).</summary>
    public WordingSelection Wording { get; init; } = WordingSelection.Unseen;

    /// <summary>The question categories asked (all when <see langword="null"/>).</summary>
    public IReadOnlySet<string>? Categories { get; init; }

    /// <summary>Where progress lines go (none when <see langword="null"/>).</summary>
    public TextWriter? Progress { get; init; }
}
