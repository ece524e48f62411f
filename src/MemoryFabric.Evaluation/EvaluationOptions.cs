namespace MemoryFabric.Evaluation;

/// <summary>Options of an evaluation run.</summary>
public sealed record EvaluationOptions
{
    /// <summary>The token budget given to every strategy (default 1,000).</summary>
    public int TokenBudget { get; init; } = 1000;

    /// <summary>The question categories to evaluate (matched case-insensitively), or <see langword="null"/> for
    /// all.</summary>
    public IReadOnlySet<string>? Categories { get; init; }

    /// <summary>Where progress lines go (e.g. standard error), or <see langword="null"/> for none.</summary>
    public TextWriter? Progress { get; init; }
}
