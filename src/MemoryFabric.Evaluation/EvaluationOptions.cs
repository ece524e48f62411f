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

    /// <summary>Told after each question a strategy answers (and when it starts a conversation), for a progress
    /// display; reported on the runner's thread. <see langword="null"/> for none.</summary>
    public IProgress<EvaluationProgress>? QuestionProgress { get; init; }

    /// <summary>Receives every question's details (question, measures, missed evidence, context) as it is measured;
    /// <see langword="null"/> (the default) keeps none.</summary>
    public Action<QuestionDetail>? QuestionDetails { get; init; }
}

/// <summary>How far one strategy of an evaluation run is.</summary>
/// <param name="Strategy">The strategy's name.</param>
/// <param name="QuestionsAnswered">The selected questions it has answered so far, over all conversations.</param>
/// <param name="Questions">The selected questions it will answer, over all conversations.</param>
public sealed record EvaluationProgress(string Strategy, int QuestionsAnswered, int Questions);
